package io.envgrid.deploycheck.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code docs/contracts/configuration.md} names exactly the {@code envgrid.*} properties each service reads
 * ({@link ConfigNames}): a property added to the code but not to the contract, or left in the contract after the
 * code stopped reading it, fails the build, so the document cannot drift from the code again.
 */
class ConfigurationDocTest {

    private static final Path ROOT = Path.of(System.getProperty("envgrid.repo.root", "..")).toAbsolutePath().normalize();

    @Test
    void theContractNamesEveryPropertyTheServicesReadAndNoOther() throws IOException {
        Map<String, Set<String>> documented = ConfigurationDoc.read(ROOT.resolve("docs/contracts/configuration.md"));
        List<String> modules;
        try (Stream<Path> dirs = Files.list(ROOT)) {
            modules = dirs.map(d -> d.getFileName().toString()).filter(n -> n.endsWith("-service")).sorted().toList();
        }
        assertEquals(new TreeSet<>(modules), new TreeSet<>(documented.keySet()), "a section per service module");
        List<String> drift = new ArrayList<>();
        for (String module : modules) {
            Set<String> read = ConfigNames.of(ROOT.resolve(module));
            Set<String> written = documented.get(module);
            read.stream().filter(n -> !written.contains(n)).forEach(n -> drift.add(module + " reads " + n + ", undocumented"));
            written.stream().filter(n -> !read.contains(n)).forEach(n -> drift.add(module + ": documented " + n + ", not read"));
        }
        assertTrue(drift.isEmpty(), "docs/contracts/configuration.md and the code differ:\n" + String.join("\n", drift));
    }

    /** The two readers on a small module and document written here, so a reader that finds nothing cannot pass. */
    @Test
    void readersFindGroupsRenamesParentNamesProfilesAndSiblings(@TempDir Path module) throws IOException {
        Path config = Files.createDirectories(module.resolve("src/main/java/x/config"));
        Files.writeString(config.resolve("XConfig.java"), """
                package x.config;
                @io.smallrye.config.ConfigMapping(prefix = "envgrid.x")
                public interface XConfig {
                    @io.smallrye.config.WithDefault("{envgrid}:") // a brace in a string
                    String keyPrefix();
                    java.util.Optional<Vm> vm();
                    Auth auth();
                    default int twice() { return 2; }
                    interface Vm {
                        @io.smallrye.config.WithName("connect")
                        java.time.Duration connectTimeout();
                        java.util.List<String> hosts();
                    }
                    interface Auth {
                        @io.smallrye.config.WithParentName
                        Mode mode();
                        enum Mode { OPEN }
                    }
                }
                """);
        Files.writeString(config.resolve("Other.java"), """
                package x.config;
                class Other {
                    Other(@org.eclipse.microprofile.config.inject.ConfigProperty(name = "envgrid.y.url") String url,
                            @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.http.port") int port) {
                    }
                }
                """);
        Files.createDirectories(module.resolve("src/main/resources"));
        Files.writeString(module.resolve("src/main/resources/application.properties"),
                "quarkus.http.port=1\n%test.envgrid.x.test-only=1\n");
        assertEquals(new TreeSet<>(List.of("envgrid.x.key-prefix", "envgrid.x.vm.connect", "envgrid.x.vm.hosts",
                "envgrid.x.auth", "envgrid.y.url", "envgrid.x.test-only")), ConfigNames.of(module));

        Path doc = module.resolve("configuration.md");
        Files.writeString(doc, """
                ## x-service — `envgrid.x.*` (`config/XConfig`)

                | property | default | meaning |
                |---|---|---|
                | `key-prefix` | `{envgrid}:` | prefix |
                | `vm.connect` / `hosts` | 3s / none | connecting |
                | `envgrid.y.url` | none | y |

                Also read: `envgrid.z.token`.

                ## y-service — `envgrid.y.*` (`YConfig`)

                | `auth` | tokens | mode |
                """);
        assertEquals(Map.of("x-service", Set.of("envgrid.x.key-prefix", "envgrid.x.vm.connect", "envgrid.x.vm.hosts",
                "envgrid.y.url", "envgrid.z.token"), "y-service", Set.of("envgrid.y.auth")), ConfigurationDoc.read(doc));
    }
}
