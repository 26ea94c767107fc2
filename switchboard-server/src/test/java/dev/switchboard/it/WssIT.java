package dev.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import dev.switchboard.client.ClientOptions;
import dev.switchboard.test.TestClient;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * wss on both servers with the development certificate the build generated, and {@code switchboard.require-tls}
 * (CONFIDENTIAL) refusing plain ws. The Java client trusts exactly that certificate, and checks the host name.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class WssIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.builtWar("wss-it", Deployments.TEST_RATE + "switchboard.require-tls=true\n");
    }

    @ArquillianResource
    URL url;

    /** The TLS port of the server under test (Quirks.tlsPort). */
    private URI wss() {
        int port = Quirks.tlsPort();
        return URI.create("wss://127.0.0.1:" + port + Deployments.base(url).getPath());
    }

    /** Trusts exactly the development certificate the build generated. */
    private static SSLContext trustingTheDevCertificate() throws Exception {
        KeyStore trust = KeyStore.getInstance("JKS");
        try (InputStream in = Files.newInputStream(Path.of(System.getProperty("tls.keystore")))) {
            trust.load(in, "changeit".toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        return tls;
    }

    /** The Java client over wss, trusting the development certificate: welcomed, joins, publishes and hears it. */
    @Test
    void wssServesTheProtocolWithTheDevelopmentCertificate() throws Exception {
        try (TestClient client = TestClient.connect(wss().resolve("ws"),
                ClientOptions.builder().sslContext(trustingTheDevCertificate()))) {
            client.join("secure");
            assertEquals(1, client.publish("secure", "over tls").offset());
            assertEquals("over tls", client.awaitMessage("secure", String.class));
        }
    }

    @Test
    void plainWsIsRefusedWhenTlsIsRequired() throws Exception {
        try {
            Quirks.http().newWebSocketBuilder().subprotocols("switchboard.v1")
                    .buildAsync(Deployments.ws(url).resolve("ws"), new WebSocket.Listener() { }).get(10, TimeUnit.SECONDS).abort();
            throw new AssertionError("plain ws was upgraded");
        } catch (ExecutionException e) {
            assertTrue(e.getCause() instanceof WebSocketHandshakeException, e.toString());
            assertEquals(403, ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode());
        }
    }
}
