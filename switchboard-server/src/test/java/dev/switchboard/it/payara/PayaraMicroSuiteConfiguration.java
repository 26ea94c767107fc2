package dev.switchboard.it.payara;

import java.io.File;
import org.jboss.arquillian.container.spi.ConfigurationException;
import org.jboss.arquillian.container.spi.client.container.ContainerConfiguration;

/** The settings of {@link PayaraMicroSuite}, from arquillian.xml (one property per setter). */
public class PayaraMicroSuiteConfiguration implements ContainerConfiguration {

    private String microJar;
    private String hostSource = "src/test/payara/PayaraMicroHost.java";
    private String cmdOptions = "";
    private String microOptions = "";
    private int startupTimeoutInSeconds = 180;

    @Override
    public void validate() throws ConfigurationException {
        if (microJar == null || !new File(microJar).isFile()) {
            throw new ConfigurationException("microJar " + microJar + " is not a file: the build puts Payara Micro in target/");
        }
        if (!new File(hostSource).isFile()) {
            throw new ConfigurationException("hostSource " + hostSource + " is not a file");
        }
    }

    public String getMicroJar() {
        return microJar;
    }

    public void setMicroJar(String microJar) {
        this.microJar = microJar;
    }

    public String getHostSource() {
        return hostSource;
    }

    public void setHostSource(String hostSource) {
        this.hostSource = hostSource;
    }

    /** JVM options of the server, split on blanks. */
    public String getCmdOptions() {
        return cmdOptions;
    }

    public void setCmdOptions(String cmdOptions) {
        this.cmdOptions = cmdOptions;
    }

    /** Payara Micro's own options ({@code --nohazelcast}, {@code --sslport} …), split on blanks; the HTTP port is chosen here. */
    public String getMicroOptions() {
        return microOptions;
    }

    public void setMicroOptions(String microOptions) {
        this.microOptions = microOptions;
    }

    public int getStartupTimeoutInSeconds() {
        return startupTimeoutInSeconds;
    }

    public void setStartupTimeoutInSeconds(int startupTimeoutInSeconds) {
        this.startupTimeoutInSeconds = startupTimeoutInSeconds;
    }
}
