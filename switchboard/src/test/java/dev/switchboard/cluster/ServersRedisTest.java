package dev.switchboard.cluster;

/** The engine's contract with Redis on three independent redis-servers ({@code switchboard.redis.shards}): every hash tag's keys and channels on one server, chosen by consistent hashing. */
class ServersRedisTest extends RedisEngineContract {

    @Override
    TestRedis startRedis() throws Exception {
        return new RedisServers(3);
    }
}
