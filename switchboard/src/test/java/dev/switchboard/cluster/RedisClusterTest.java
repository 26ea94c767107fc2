package dev.switchboard.cluster;

/** The engine's contract with Redis on one redis-server ({@code switchboard.redis.url}). */
class RedisClusterTest extends RedisEngineContract {

    @Override
    TestRedis startRedis() throws Exception {
        return new RedisServer();
    }
}
