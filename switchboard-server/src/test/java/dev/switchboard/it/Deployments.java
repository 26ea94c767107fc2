package dev.switchboard.it;

import java.io.File;
import java.net.URI;
import java.net.URL;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** The ITs deploy the WAR the build produced, as users do, under a name of their own. */
final class Deployments {

    private Deployments() {
    }

    /** The server key of the test WARs ({@code X-Switchboard-Key}): the HTTP API and stats for the tests' own calls. */
    static final String API_KEY = "it-key-0123456789abcdef";
    /** An operator ({@code admin}) of the test WARs, for the monitor and stats pages. */
    static final String OPERATOR = "operator";
    static final String OPERATOR_PASSWORD = "operator-password";

    /**
     * Rate limit and guest access for the ITs, set in the WAR (MicroProfile Config reads {@code META-INF/microprofile-config.properties}
     * on both servers): generous, so that tests which publish in bursts are not limited, and guests may use every room.
     * {@link SecurityIT} and {@link AuthIT} set their own.
     */
    static final String TEST_RATE = "switchboard.rate.per-second=100000\nswitchboard.rate.burst=100000\n"
            + "switchboard.auth.anonymous-room-classes=*\nswitchboard.auth.anonymous-direct=true\n"
            + "switchboard.api.rate.per-second=100000\nswitchboard.api.rate.burst=100000\n"
            + "switchboard.api.keys=it:" + API_KEY + "\n"
            + "switchboard.auth.users=" + OPERATOR + ":" + OPERATOR_PASSWORD + ":admin\n";

    /** {@code request} with the test WARs' server key. */
    static java.net.http.HttpRequest.Builder withKey(java.net.http.HttpRequest.Builder request) {
        return request.header("X-Switchboard-Key", API_KEY);
    }

    /** The built WAR ({@code target/switchboard.war}), renamed to {@code name}.war, with the test rate limit. */
    static WebArchive builtWar(String name) {
        return builtWar(name, TEST_RATE);
    }

    /** The built WAR with {@code config} as its {@code META-INF/microprofile-config.properties}. */
    static WebArchive builtWar(String name, String config) {
        return rawWar(name).addAsResource(new org.jboss.shrinkwrap.api.asset.StringAsset(config),
                "META-INF/microprofile-config.properties");
    }

    private static WebArchive rawWar(String name) {
        File war = new File(System.getProperty("switchboard.war", "target/switchboard.war"));
        if (!war.isFile()) {
            throw new IllegalStateException(war + " does not exist: run the ITs through mvn verify (package comes first)");
        }
        WebArchive built = ShrinkWrap.createFromZipFile(WebArchive.class, war);
        return ShrinkWrap.create(WebArchive.class, name + ".war").merge(built);
    }

    /**
     * The application's base URI, on 127.0.0.1. Container quirk (Payara Micro): {@code @ArquillianResource URL}
     * reports the machine's external address while the listener is bound to loopback, so only its port and
     * context path are used.
     */
    static URI base(URL url) {
        String path = url.getPath().endsWith("/") ? url.getPath() : url.getPath() + "/";
        return URI.create("http://127.0.0.1:" + url.getPort() + path);
    }

    static URI ws(URL url) {
        URI http = base(url);
        return URI.create("ws://" + http.getAuthority() + http.getPath());
    }
}
