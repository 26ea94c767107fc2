package dev.switchboard.it.userapp;

import dev.switchboard.Rejection;
import dev.switchboard.TypedRequestHandler;
import dev.switchboard.security.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * A user's typed request handler (HandlersIT): {@code quote} prices a line. The SKU {@code BOOM} fails (a bug),
 * {@code SLOW} outlasts the handlers' time limit, {@code GONE} is refused; {@code naming} says whether the handler's
 * thread has the application's naming context ({@code java:comp}). Also answers {@code leaves}: what
 * {@link OrderRooms} was told.
 */
@ApplicationScoped
public class Quotes implements TypedRequestHandler<Quotes.Line, Quotes.Quote> {

    public record Line(@NotBlank String sku, @Positive int quantity) {
    }

    public record Quote(String sku, int quantity, long totalCents, String forUser, boolean naming, List<String> leaves) {
    }

    @Inject
    OrderRooms orders;

    @Override
    public String method() {
        return "quote";
    }

    @Override
    public Class<Line> type() {
        return Line.class;
    }

    @Override
    public Quote handle(Caller caller, Line line) {
        switch (line.sku()) {
            case "BOOM" -> throw new IllegalStateException("a bug in the application's handler");
            case "GONE" -> throw new Rejection("discontinued", "SKU GONE is no longer sold");
            case "SLOW" -> {
                try {
                    new CountDownLatch(1).await(30, TimeUnit.SECONDS); // longer than switchboard.handlers.timeout-ms
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // the time limit interrupts it
                }
            }
            default -> { }
        }
        return new Quote(line.sku(), line.quantity(), 250L * line.quantity(), caller.name(), naming(), orders.leaves());
    }

    private static boolean naming() {
        try {
            return InitialContext.doLookup("java:comp/DefaultManagedExecutorService") != null;
        } catch (NamingException e) {
            return false;
        }
    }
}
