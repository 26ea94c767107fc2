package dev.switchboard.cluster;

/** Lost nodes told once on three independent redis-servers: the withdrawal goes room by room, user by user, each on its server. */
class ServersLostNodesTest extends LostNodesTest {

    @Override
    TestRedis startRedis() throws Exception {
        return new RedisServers(3);
    }
}
