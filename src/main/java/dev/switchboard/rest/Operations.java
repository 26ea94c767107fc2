package dev.switchboard.rest;

import dev.switchboard.security.ApiAccess;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.core.Response;

/** The guard of the operations surfaces (stats, marks): a server key, or {@code switchboard.monitor.role}. */
final class Operations {

    private Operations() {
    }

    /** The refusal of {@code request}, or null when its caller may use the operations surfaces. */
    static Response refusal(ApiAccess access, HttpServletRequest request) {
        ApiAccess.Result who = access.caller(request);
        if (who.caller() == null) {
            if (who.refusal() == ApiAccess.Refusal.NO_CREDENTIALS && access.mayOperate((dev.switchboard.security.Caller) null)) {
                return null; // switchboard.monitor.role=* (demos): open to guests too
            }
            return ApiResponses.unauthenticated(who.refusal());
        }
        if (!access.withinRate(who.caller())) {
            return ApiResponses.rateLimited();
        }
        if (!access.mayOperate(who.caller())) {
            return ApiResponses.forbidden("needs the role " + access.operationsRole() + " (switchboard.monitor.role)");
        }
        return null;
    }
}
