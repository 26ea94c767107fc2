package dev.switchboard.rest;

import dev.switchboard.security.ApiAccess;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.core.Response;

/**
 * The guards of the operations surfaces: stats, metrics and marks (a server key, or {@code switchboard.monitor.role}),
 * and the admin API (a server key, or {@code switchboard.auth.admin-role}).
 */
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

    /** The refusal of {@code request} to the admin API, or null: a server key, or a user with the admin role. */
    static Response adminRefusal(ApiAccess access, HttpServletRequest request) {
        ApiAccess.Result who = access.caller(request);
        if (who.caller() == null) {
            return ApiResponses.unauthenticated(who.refusal());
        }
        if (!access.withinRate(who.caller())) {
            return ApiResponses.rateLimited();
        }
        if (!access.mayAdminister(who.caller())) {
            return ApiResponses.forbidden("needs the role " + access.adminRole() + " (switchboard.auth.admin-role)");
        }
        return null;
    }
}
