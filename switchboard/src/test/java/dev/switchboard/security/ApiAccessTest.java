package dev.switchboard.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Who the HTTP API takes: server keys (constant-time match, names, bad entries ignored), roles, and the rate per caller. */
class ApiAccessTest {

    private static ApiAccess access(Map<String, String> settings) {
        ApiAccess access = new ApiAccess();
        access.config = new dev.switchboard.config.MapConfig(settings);
        access.authorizer = (caller, action, room) -> room.startsWith("open");
        return access;
    }

    private static ApiAccess.Result withKey(ApiAccess access, String key) {
        return access.caller(new FakeRequest(Map.of(ApiAccess.KEY_HEADER, key), null));
    }

    @Test
    void aConfiguredKeyNamesItsBackEndAndAnythingElseIsAWrongKey() {
        ApiAccess access = access(Map.of("switchboard.api.keys",
                "billing:billing-key-0123456789, reports:reports-key-0123456789,short:tooshort,:nameless-key-0123456789"));
        ApiAccess.Result billing = withKey(access, "billing-key-0123456789");
        assertTrue(billing.caller().serverKey());
        assertEquals("key:billing", billing.caller().label());
        assertEquals("reports", withKey(access, " reports-key-0123456789 ").caller().caller().name());
        for (String wrong : List.of("billing-key-012345678", "billing-key-01234567890", "BILLING-KEY-0123456789",
                "tooshort", "nameless-key-0123456789", "")) {
            ApiAccess.Result r = withKey(access, wrong);
            assertNull(r.caller(), wrong);
            assertEquals(ApiAccess.Refusal.WRONG_KEY, r.refusal(), wrong);
        }
    }

    @Test
    void aKeyMayDoEverythingAUserWhatItsRulesAllowAGuestNothing() {
        ApiAccess access = access(Map.of("switchboard.api.keys", "b:backend-key-0123456789"));
        ApiAccess.ApiCaller key = withKey(access, "backend-key-0123456789").caller();
        assertTrue(access.allows(key, RoomAuthorizer.Action.PUBLISH, "staff:secret"));
        assertTrue(access.mayOperate(key));

        Caller alice = new Caller("alice", Set.of("chat"), false, null);
        ApiAccess.Result signedIn = access.caller(new FakeRequest(Map.of(), alice));
        assertFalse(signedIn.caller().serverKey());
        assertTrue(access.allows(signedIn.caller(), RoomAuthorizer.Action.PUBLISH, "open:lobby"));
        assertFalse(access.allows(signedIn.caller(), RoomAuthorizer.Action.PUBLISH, "staff:secret"));
        assertFalse(access.mayOperate(signedIn.caller()), "not an operator without the role");
        assertTrue(access.mayOperate(new Caller("root", Set.of("admin"), false, null)));

        ApiAccess.Result guest = access.caller(new FakeRequest(Map.of(), new Caller("guest-x", Set.of(), true, null)));
        assertNull(guest.caller());
        assertEquals(ApiAccess.Refusal.NO_CREDENTIALS, guest.refusal());
        assertFalse(access.mayOperate((Caller) null));
        assertTrue(access(Map.of("switchboard.monitor.role", "*")).mayOperate((Caller) null), "* opens it (demos)");
    }

    @Test
    void eachCallerHasItsOwnBucket() {
        ApiAccess access = access(Map.of("switchboard.api.rate.per-second", "1", "switchboard.api.rate.burst", "3"));
        ApiAccess.ApiCaller flooder = new ApiAccess.ApiCaller(new Caller("flooder", Set.of(), false, null), false);
        ApiAccess.ApiCaller other = new ApiAccess.ApiCaller(new Caller("other", Set.of(), false, null), false);
        ApiAccess.ApiCaller sameNameKey = new ApiAccess.ApiCaller(new Caller("flooder", Set.of(), false, null), true);
        assertTrue(access.withinRate(flooder));
        assertTrue(access.withinRate(flooder));
        assertTrue(access.withinRate(flooder));
        assertFalse(access.withinRate(flooder), "the burst of 3 is spent");
        assertTrue(access.withinRate(other), "another caller is not limited by the flooder");
        assertTrue(access.withinRate(sameNameKey), "a key named like a user has a bucket of its own");
    }

    /** A request with headers and the caller the authentication mechanism established (null: none). */
    private static final class FakeRequest extends jakarta.servlet.http.HttpServletRequestWrapper {
        private final Map<String, String> headers;
        private final Caller caller;

        FakeRequest(Map<String, String> headers, Caller caller) {
            super((jakarta.servlet.http.HttpServletRequest) java.lang.reflect.Proxy.newProxyInstance(
                    ApiAccessTest.class.getClassLoader(), new Class<?>[] {jakarta.servlet.http.HttpServletRequest.class},
                    (proxy, method, args) -> {
                        throw new UnsupportedOperationException(method.getName());
                    }));
            this.headers = headers;
            this.caller = caller;
        }

        @Override
        public String getHeader(String name) {
            return headers.get(name);
        }

        @Override
        public Object getAttribute(String name) {
            return SwitchboardAuthenticationMechanism.CALLER_ATTRIBUTE.equals(name) ? caller : null;
        }
    }
}
