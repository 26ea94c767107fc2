package dev.switchboard.it.payara;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import org.jboss.arquillian.container.spi.client.container.DeployableContainer;
import org.jboss.arquillian.container.spi.client.container.DeploymentException;
import org.jboss.arquillian.container.spi.client.container.LifecycleException;
import org.jboss.arquillian.container.spi.client.protocol.ProtocolDescription;
import org.jboss.arquillian.container.spi.client.protocol.metadata.HTTPContext;
import org.jboss.arquillian.container.spi.client.protocol.metadata.ProtocolMetaData;
import org.jboss.arquillian.container.spi.client.protocol.metadata.Servlet;
import org.jboss.shrinkwrap.api.Archive;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;

/**
 * One Payara Micro per IT suite, as the other servers' adapters keep one server per suite: started once, each test
 * class's WAR deployed and undeployed in it (src/test/payara/PayaraMicroHost.java, through Payara Micro's public
 * runtime API). Payara's own managed adapter starts a new Payara Micro for every test class — 7 to 10 s each on this
 * 2-core machine, about 19 times per Payara suite — where a deploy into a running instance takes about 1.3 s.
 * The instance runs with Payara Micro's own launcher and options, as {@code java -jar payara-micro.jar} does
 * (the JVM flags its manifest asks of {@code -jar} are passed explicitly).
 */
public class PayaraMicroSuite implements DeployableContainer<PayaraMicroSuiteConfiguration> {

    private static final String READY = "PAYARA MICRO HOST READY";

    private PayaraMicroSuiteConfiguration configuration;
    private Process process;
    private int httpPort;
    private int controlPort;
    private Path wars;

    @Override
    public Class<PayaraMicroSuiteConfiguration> getConfigurationClass() {
        return PayaraMicroSuiteConfiguration.class;
    }

    @Override
    public void setup(PayaraMicroSuiteConfiguration configuration) {
        this.configuration = configuration;
    }

    @Override
    public ProtocolDescription getDefaultProtocol() {
        return new ProtocolDescription("Servlet 5.0");
    }

    @Override
    public void start() throws LifecycleException {
        try {
            httpPort = freePort();
            controlPort = freePort();
            wars = Files.createTempDirectory("payara-micro-suite");
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(words(configuration.getCmdOptions()));
            command.addAll(launcherFlags(configuration.getMicroJar()));
            command.add("-Dpayara.host.control=" + controlPort);
            command.addAll(List.of("-cp", configuration.getMicroJar(), configuration.getHostSource()));
            command.addAll(List.of("--port", Integer.toString(httpPort)));
            command.addAll(words(configuration.getMicroOptions()));
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new LifecycleException("could not start Payara Micro", e);
        }
        CountDownLatch ready = new CountDownLatch(1);
        Thread pump = new Thread(() -> pump(ready), "payara-micro-output");
        pump.setDaemon(true);
        pump.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(configuration.getStartupTimeoutInSeconds());
            while (!ready.await(200, TimeUnit.MILLISECONDS)) {
                if (!process.isAlive()) {
                    throw new LifecycleException("Payara Micro exited with " + process.exitValue() + " while starting (its output is above)");
                }
                if (System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new LifecycleException("Payara Micro did not start within " + configuration.getStartupTimeoutInSeconds() + " s");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LifecycleException("interrupted while Payara Micro started", e);
        }
    }

    /** Copies the server's output into the running test's output (failsafe's {@code <class>-output.txt}). */
    private void pump(CountDownLatch ready) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                System.out.println(line);
                if (line.startsWith(READY)) {
                    ready.countDown();
                }
            }
        } catch (IOException e) {
            System.out.println("[payara-micro-suite] the server's output ended: " + e);
        }
    }

    @Override
    public ProtocolMetaData deploy(Archive<?> archive) throws DeploymentException {
        String name = name(archive);
        File war = wars.resolve(archive.getName()).toFile();
        archive.as(ZipExporter.class).exportTo(war, true);
        String answer = ask("deploy " + name + " " + war.getAbsolutePath());
        if (!answer.equals("ok")) {
            throw new DeploymentException("Payara Micro did not deploy " + archive.getName() + ": " + answer + " (its log is in the test output)");
        }
        HTTPContext context = new HTTPContext("127.0.0.1", httpPort);
        context.add(new Servlet("default", name));
        return new ProtocolMetaData().addContext(context);
    }

    @Override
    public void undeploy(Archive<?> archive) throws DeploymentException {
        String answer = ask("undeploy " + name(archive));
        wars.resolve(archive.getName()).toFile().delete();
        if (!answer.equals("ok")) {
            throw new DeploymentException("Payara Micro did not undeploy " + archive.getName() + ": " + answer);
        }
    }

    @Override
    public void stop() throws LifecycleException {
        if (process == null || !process.isAlive()) {
            return;
        }
        try {
            ask("stop");
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new LifecycleException("Payara Micro did not stop within 60 s; killed");
            }
        } catch (DeploymentException e) {
            process.destroyForcibly();
            throw new LifecycleException("could not ask Payara Micro to stop; killed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } finally {
            wars.toFile().delete();
        }
    }

    private String ask(String command) throws DeploymentException {
        try (Socket s = new Socket(InetAddress.getByName("127.0.0.1"), controlPort)) {
            s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(configuration.getStartupTimeoutInSeconds()));
            Writer out = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8);
            out.write(command + "\n");
            out.flush();
            String answer = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
            return answer == null ? "no answer (did Payara Micro exit?)" : answer;
        } catch (IOException e) {
            throw new DeploymentException("Payara Micro's control port did not answer " + command, e);
        }
    }

    private static String name(Archive<?> archive) {
        String name = archive.getName();
        return name.endsWith(".war") ? name.substring(0, name.length() - 4) : name;
    }

    /** The {@code Add-Opens}/{@code Add-Exports} of the jar's manifest, which {@code java -jar} would apply. */
    static List<String> launcherFlags(String jar) throws IOException {
        List<String> flags = new ArrayList<>();
        try (JarFile file = new JarFile(jar)) {
            Attributes main = file.getManifest().getMainAttributes();
            for (String opens : words(main.getValue("Add-Opens"))) {
                flags.add("--add-opens=" + opens + "=ALL-UNNAMED");
            }
            for (String exports : words(main.getValue("Add-Exports"))) {
                flags.add("--add-exports=" + exports + "=ALL-UNNAMED");
            }
        }
        return flags;
    }

    private static List<String> words(String text) {
        return text == null || text.isBlank() ? List.of() : Arrays.asList(text.trim().split("\\s+"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
