package dev.switchboard.cluster;

/** The log store contract on a Redis Cluster of three masters and three replicas. */
class ShardedLogStoreTest extends RedisLogStoreTest {

    @Override
    TestRedis startRedis() throws Exception {
        return new RedisClusterServers();
    }
}
