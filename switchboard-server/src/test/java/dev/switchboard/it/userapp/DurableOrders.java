package dev.switchboard.it.userapp;

import dev.switchboard.Switchboard;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.UserTransaction;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.UUID;
import javax.naming.InitialContext;
import javax.sql.DataSource;

/**
 * A user's order desk in the cluster ITs' WAR (ClusterIT, the durable outbox): {@code POST /it/orders?room=…&item=…}
 * stores an order in the default datasource and publishes it to {@code room} in one JTA transaction. With
 * {@code halt=true} the node dies right after the commit, before the publication goes out: a synchronization the
 * application registers before it publishes is told of the commit first on Payara Micro (the transaction manager
 * calls interposed synchronizations in the order they were registered), and halts the JVM there — no shutdown, as a
 * power cut or a SIGKILL.
 */
@WebServlet("/it/orders")
public class DurableOrders extends HttpServlet {

    @Inject
    Switchboard switchboard;

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String room = request.getParameter("room");
        String item = request.getParameter("item");
        boolean halt = "true".equals(request.getParameter("halt"));
        try {
            UserTransaction transaction = InitialContext.doLookup("java:comp/UserTransaction");
            DataSource orders = InitialContext.doLookup("java:comp/DefaultDataSource");
            TransactionSynchronizationRegistry registry = InitialContext.doLookup("java:comp/TransactionSynchronizationRegistry");
            transaction.begin();
            try (Connection c = orders.getConnection()) {
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("CREATE TABLE IF NOT EXISTS it_orders (id VARCHAR(36) PRIMARY KEY, item VARCHAR(100))");
                }
                try (PreparedStatement s = c.prepareStatement("INSERT INTO it_orders (id, item) VALUES (?, ?)")) {
                    s.setString(1, UUID.randomUUID().toString());
                    s.setString(2, item);
                    s.executeUpdate();
                }
            }
            if (halt) {
                registry.registerInterposedSynchronization(new Synchronization() {
                    @Override
                    public void beforeCompletion() {
                    }

                    @Override
                    public void afterCompletion(int status) {
                        if (status == Status.STATUS_COMMITTED) {
                            Runtime.getRuntime().halt(137);
                        }
                    }
                });
            }
            switchboard.publish(room, Json.createObjectBuilder().add("item", item).build());
            transaction.commit();
            response.setStatus(HttpServletResponse.SC_ACCEPTED);
        } catch (Exception e) {
            response.sendError(HttpServletResponse.SC_INTERNAL_SERVER_ERROR, e.toString());
        }
    }
}
