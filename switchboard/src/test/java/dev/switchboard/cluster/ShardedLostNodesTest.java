package dev.switchboard.cluster;

/** Lost nodes told once, on a Redis Cluster: the withdrawal goes room by room, each in its own slot. */
class ShardedLostNodesTest extends LostNodesTest {

    @Override
    TestRedis startRedis() throws Exception {
        return new RedisClusterServers();
    }
}
