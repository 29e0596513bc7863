package io.envgrid.deploycheck.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configuration names {@code docs/contracts/configuration.md} documents, per service module. Each module
 * has a section {@code ## <module> — `envgrid.<service>.*` …}; the first cell of each table row holds one or
 * more names separated by {@code /}: a name starting with {@code envgrid.} is written in full, any other is
 * relative to the section's prefix, and one without a dot after the first is a sibling of the name before it
 * ({@code `downstream.bulkhead` / `bulkhead-queue`}). Full names written in the section's prose (the names a
 * service also reads from another's prefix) count too.
 */
final class ConfigurationDoc {

    private static final Pattern SECTION = Pattern.compile("(?m)^## ([a-z-]+) — `(envgrid\\.[a-z0-9.-]+)\\.\\*`");
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");
    private static final Pattern FULL_NAME = Pattern.compile("`(envgrid\\.[a-z0-9-]+(?:\\.[a-z0-9-]+)+)`");

    private ConfigurationDoc() {
    }

    /** @return documented full names by module directory name, in the order of the document */
    static Map<String, Set<String>> read(Path document) throws IOException {
        String text = Files.readString(document);
        Map<String, Set<String>> byModule = new LinkedHashMap<>();
        Matcher section = SECTION.matcher(text);
        int start = -1;
        String module = null;
        String prefix = null;
        while (true) {
            boolean found = section.find();
            if (module != null) {
                byModule.put(module, names(text.substring(start, found ? section.start() : text.length()), prefix));
            }
            if (!found) {
                return byModule;
            }
            module = section.group(1);
            prefix = section.group(2);
            start = section.end();
        }
    }

    private static Set<String> names(String section, String prefix) {
        Set<String> names = new TreeSet<>();
        for (String line : section.split("\n")) {
            if (line.startsWith("| `")) {
                String previous = null;
                for (String part : line.split("\\|")[1].split(" / ")) {
                    Matcher code = CODE.matcher(part);
                    if (!code.find()) {
                        continue;
                    }
                    String name = code.group(1);
                    String full = name.startsWith("envgrid.") ? name
                            : previous != null && !name.contains(".") && previous.contains(".")
                                    ? previous.substring(0, previous.lastIndexOf('.') + 1) + name
                                    : prefix + "." + name;
                    names.add(full);
                    previous = full;
                }
            } else {
                Matcher full = FULL_NAME.matcher(line);
                while (full.find()) {
                    names.add(full.group(1));
                }
            }
        }
        return names;
    }
}
