package dev.switchboard.test;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ExplodedImporter;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * Switchboard in a ShrinkWrap deployment, as Arquillian tests build them: {@link #addLibrary} adds the library JAR and
 * its runtime dependencies to {@code WEB-INF/lib} — taken from the test's class path (the application's pom already
 * has them), by the list the library carries ({@code META-INF/switchboard/dependencies.list}, written by its build).
 */
public final class SwitchboardArchives {

    private static final Pattern ARTIFACT = Pattern.compile("^\\s*([^:\\s]+):([^:\\s]+):jar:(?:[^:\\s]+:)?([^:\\s]+):(?:compile|runtime)");

    private SwitchboardArchives() {
    }

    /** {@code war} with the library and its runtime dependencies in {@code WEB-INF/lib}. */
    public static WebArchive addLibrary(WebArchive war) {
        for (File file : libraryFiles()) {
            if (file.isDirectory()) { // the library's classes in a reactor build (target/classes)
                war.addAsLibrary(ShrinkWrap.create(JavaArchive.class, "switchboard.jar").as(ExplodedImporter.class)
                        .importDirectory(file).as(JavaArchive.class));
            } else {
                war.addAsLibrary(file);
            }
        }
        return war;
    }

    /** {@code war} with the {@link SwitchboardEventRecorder} (and what it uses), for in-container tests. */
    public static WebArchive withRecorder(WebArchive war) {
        return war.addClasses(SwitchboardEventRecorder.class, Await.class);
    }

    /** The library's JAR and the JAR of each of its runtime dependencies, from the class path. */
    public static List<File> libraryFiles() {
        Class<?> library;
        try {
            library = Class.forName("dev.switchboard.Switchboard");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("dev.switchboard:switchboard is not on the test class path", e);
        }
        List<File> files = new ArrayList<>();
        files.add(jarOf(library));
        String[] classPath = System.getProperty("java.class.path").split(File.pathSeparator);
        for (String artifact : dependencies(library)) {
            File found = null;
            for (String entry : classPath) {
                if (new File(entry).getName().equals(artifact)) {
                    found = new File(entry);
                    break;
                }
            }
            if (found == null) {
                throw new IllegalStateException(artifact + " (a runtime dependency of Switchboard) is not on the test class path");
            }
            files.add(found);
        }
        return files;
    }

    /** The file names ({@code artifactId-version.jar}) of the library's runtime dependencies. */
    static List<String> dependencies(Class<?> library) {
        List<String> names = new ArrayList<>();
        try (InputStream in = library.getResourceAsStream("/META-INF/switchboard/dependencies.list")) {
            if (in == null) {
                throw new IllegalStateException("the switchboard JAR carries no META-INF/switchboard/dependencies.list");
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = lines.readLine()) != null; ) {
                Matcher m = ARTIFACT.matcher(line);
                if (m.find()) {
                    names.add(m.group(2) + "-" + m.group(3) + ".jar");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    private static File jarOf(Class<?> type) {
        try {
            return new File(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
