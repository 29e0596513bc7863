package io.envgrid.deploycheck;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every service container runs with the JVM options the start-up figures were measured with (k8s/README.md
 * "Start-up and memory"): env {@code JDK_JAVA_OPTIONS} equal to {@code JVM_OPTS_CONTAINER} in the {@code envgrid}
 * script, which starts the local services with them. The memory limits are derived from those figures, so a
 * container without the options, or with others, would run outside what was measured.
 */
final class JvmOptionRules {

    /** The variable the image's entrypoint (the java launcher) reads. */
    static final String VARIABLE = "JDK_JAVA_OPTIONS";
    private static final Pattern SCRIPT_OPTIONS = Pattern.compile("(?m)^JVM_OPTS_CONTAINER=\"([^\"]+)\"$");

    private JvmOptionRules() {
    }

    static List<Finding> check(Manifests manifests, Repository repository) {
        String expected = scriptOptions(repository);
        List<Finding> findings = new ArrayList<>();
        for (Workload w : Workload.all(manifests)) {
            for (Container c : w.containers()) {
                String image = c.getImage().replaceFirst("[@:][^/]*$", "");
                boolean service = repository.services().values().stream().flatMap(s -> repository.imagesOf(s).stream())
                        .anyMatch(i -> image.equals(i) || image.endsWith("/" + i));
                if (!service) {
                    continue;
                }
                Optional<String> actual = Optional.ofNullable(c.getEnv()).orElse(List.of()).stream()
                        .filter(e -> VARIABLE.equals(e.getName())).map(EnvVar::getValue).findFirst();
                if (actual.isEmpty() || !actual.get().equals(expected)) {
                    findings.add(new Finding(Manifests.id(w.owner()), "container " + c.getName() + " has " + VARIABLE + "="
                            + actual.orElse("(unset)") + ", not the measured options of ./envgrid: " + expected));
                }
            }
        }
        return findings;
    }

    private static String scriptOptions(Repository repository) {
        try {
            Matcher m = SCRIPT_OPTIONS.matcher(Files.readString(repository.root().resolve("envgrid")));
            if (!m.find()) {
                throw new IllegalStateException("no JVM_OPTS_CONTAINER=\"…\" line in the envgrid script");
            }
            return m.group(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
