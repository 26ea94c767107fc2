import fish.payara.micro.PayaraMicroRuntime;
import fish.payara.micro.boot.PayaraMicroLauncher;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One Payara Micro for a whole IT suite: boots with the given Payara Micro options, as {@code java -jar
 * payara-micro.jar} would (its own launcher, same arguments), then deploys and undeploys the suite's WARs through
 * Payara Micro's public runtime API when the test JVM asks on a loopback control port — one line in, one line out:
 * {@code deploy <name> <war>}, {@code undeploy <name>}, {@code stop}. Run by the source launcher
 * ({@code java -cp payara-micro.jar PayaraMicroHost.java …}; dev.switchboard.it.payara.PayaraMicroSuite) so that
 * nothing but Payara Micro is on the server's class path.
 */
public class PayaraMicroHost {

    public static void main(String[] args) throws Exception {
        int control = Integer.parseInt(System.getProperty("payara.host.control"));
        PayaraMicroRuntime runtime = PayaraMicroLauncher.create(args).getRuntime();
        try (ServerSocket server = new ServerSocket(control, 4, InetAddress.getByName("127.0.0.1"))) {
            System.out.println("PAYARA MICRO HOST READY on control port " + control);
            while (true) {
                try (Socket s = server.accept();
                     BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                     Writer out = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8)) {
                    String line = in.readLine();
                    String[] command = line == null ? new String[] {""} : line.split(" ", 3);
                    String answer;
                    try {
                        answer = switch (command[0]) {
                            case "deploy" -> runtime.deploy(command[1], command[1], new File(command[2])) ? "ok" : "failed";
                            case "undeploy" -> {
                                runtime.undeploy(command[1]);
                                yield "ok";
                            }
                            case "stop" -> "ok";
                            default -> "unknown command: " + line;
                        };
                    } catch (RuntimeException e) {
                        e.printStackTrace(System.out);
                        answer = "failed: " + e;
                    }
                    out.write(answer.replace('\n', ' ') + "\n");
                    out.flush();
                    if (command[0].equals("stop")) {
                        runtime.shutdown();
                        System.exit(0);
                    }
                }
            }
        }
    }
}
