package dev.switchboard.it;

import static dev.switchboard.it.ProtocolIT.msg;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/** Undeploying the application closes every connection with 1001 (going away), so clients reconnect. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ShutdownIT {

    static final String NAME = "shutdown-it";

    @Deployment(name = NAME, testable = false, managed = false)
    static WebArchive deployment() {
        return Deployments.builtWar(NAME);
    }

    @ArquillianResource
    Deployer deployer;

    /** Deploys first: the URL of an unmanaged deployment can only be injected after it is deployed. */
    @Test
    @Order(1)
    void deploy() {
        deployer.deploy(NAME);
    }

    @Test
    @Order(2)
    void undeployClosesEveryConnectionWith1001(@ArquillianResource @OperateOnDeployment(NAME) URL url) throws Exception {
        List<WsClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                WsClient c = WsClient.connect(Deployments.ws(url));
                c.send(msg("join", "1", "room", "shutdown")).expect("joined");
                clients.add(c);
            }
            deployer.undeploy(NAME);
            for (WsClient c : clients) {
                WsClient.Close close = c.awaitClose();
                assertEquals(1001, close.code(), close.toString());
            }
        } finally {
            clients.forEach(WsClient::close);
        }
    }
}
