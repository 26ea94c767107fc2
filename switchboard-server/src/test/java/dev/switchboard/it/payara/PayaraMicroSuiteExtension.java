package dev.switchboard.it.payara;

import org.jboss.arquillian.container.spi.client.container.DeployableContainer;
import org.jboss.arquillian.core.spi.LoadableExtension;

/**
 * Registers {@link PayaraMicroSuite} in the Payara Micro executions only ({@code arquillian.launch} payara or
 * payara7): Arquillian takes exactly one DeployableContainer, and the other executions bring their server's adapter.
 */
public class PayaraMicroSuiteExtension implements LoadableExtension {

    @Override
    public void register(ExtensionBuilder builder) {
        String launch = System.getProperty("arquillian.launch", "");
        if (launch.equals("payara") || launch.equals("payara7")) {
            builder.service(DeployableContainer.class, PayaraMicroSuite.class);
        }
    }
}
