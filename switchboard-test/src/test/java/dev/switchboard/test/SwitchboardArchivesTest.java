package dev.switchboard.test;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The library's dependency list, as its build wrote it, names jars the class path has. */
class SwitchboardArchivesTest {

    @Test
    void theLibrarysRuntimeDependenciesAreFoundOnTheClassPath() throws Exception {
        List<String> names = SwitchboardArchives.dependencies(Class.forName("dev.switchboard.Switchboard"));
        assertTrue(names.stream().anyMatch(n -> n.startsWith("lettuce-core-")), names.toString());
        assertTrue(names.stream().noneMatch(n -> n.contains("jakartaee") || n.contains("junit")), "no provided or test jars: " + names);
        List<File> files = SwitchboardArchives.libraryFiles();
        assertTrue(files.size() == names.size() + 1 && files.stream().allMatch(File::exists), files.toString());
    }
}
