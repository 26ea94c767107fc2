package dev.switchboard.cluster;

/** The log store contract on three independent redis-servers, each room on its own. */
class ServersLogStoreTest extends RedisLogStoreTest {

    @Override
    TestRedis startRedis() throws Exception {
        return new RedisServers(3);
    }
}
