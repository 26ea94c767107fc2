package dev.switchboard.cluster;

/**
 * The engine's contract with Redis on a Redis Cluster of three masters and three replicas
 * ({@code switchboard.redis.cluster-nodes}): every script within one slot, rooms' and nodes' channels sharded.
 */
class ShardedRedisTest extends RedisEngineContract {

    @Override
    TestRedis startRedis() throws Exception {
        return new RedisClusterServers();
    }
}
