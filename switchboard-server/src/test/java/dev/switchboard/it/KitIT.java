package dev.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchboard.client.Events.Publication;
import dev.switchboard.it.userapp.Greeter;
import dev.switchboard.test.SwitchboardApi;
import dev.switchboard.test.SwitchboardArchives;
import dev.switchboard.test.TestClient;
import jakarta.json.Json;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.EmptyAsset;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A user's micro-deployment as Arquillian users build them, with the test kit (switchboard-test): the library and
 * its dependencies ({@link SwitchboardArchives#addLibrary}), one bean of the user's own and its settings — nothing
 * of the standalone server — tested with {@link TestClient} and {@link SwitchboardApi}.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class KitIT {

    private static final String KEY = "kit-it-key-0123456789";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return SwitchboardArchives.addLibrary(ShrinkWrap.create(WebArchive.class, "kit-it.war"))
                .addClass(Greeter.class)
                .addAsWebInfResource(EmptyAsset.INSTANCE, "beans.xml")
                .addAsResource(new StringAsset("switchboard.auth.anonymous-room-classes=lobby\n"
                        + "switchboard.api.keys=kit:" + KEY + "\n"), "META-INF/microprofile-config.properties");
    }

    @ArquillianResource
    URL url;

    @Test
    void aGuestIsGreetedByTheUsersBeanAndHearsWhatTheApiPublishes() {
        URI base = Deployments.base(url);
        String room = "lobby:" + UUID.randomUUID().toString().substring(0, 8);
        SwitchboardApi api = SwitchboardApi.at(base.resolve("api/")).withKey(KEY);
        try (TestClient guest = TestClient.connect(Deployments.ws(url).resolve("ws"))) {
            guest.join(room);
            Publication greeting = guest.awaitMessage(room);
            assertEquals("welcome, " + guest.user(), greeting.data().asJsonObject().getString("greeting"),
                    "the user's own bean observed the join and published");

            api.publish(room, Json.createObjectBuilder().add("news", "from the back end").build());
            assertEquals("from the back end", guest.awaitMessage(room).data().asJsonObject().getString("news"));
            assertEquals(List.of(guest.user()), api.presence(room).getValuesAs(jakarta.json.JsonObject.class).stream()
                    .map(m -> m.getString("user")).toList());
            guest.assertNoMessage(room, Duration.ofMillis(200));
        }
        assertEquals(401, SwitchboardApi.at(base.resolve("api/")).withKey("wrong-key").get("rooms/presence?room=" + room).status(),
                "a wrong key is refused");
        assertTrue(guestRefusedOutsideLobby(), "guests only in lobby rooms");
    }

    private boolean guestRefusedOutsideLobby() {
        try (TestClient guest = TestClient.connect(Deployments.ws(url).resolve("ws"))) {
            return guest.joinRefused("private:" + UUID.randomUUID()).equals("forbidden");
        }
    }
}
