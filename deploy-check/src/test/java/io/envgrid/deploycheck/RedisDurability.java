package io.envgrid.deploycheck;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The settings that decide what a Redis failover may lose (resource-allocator-service/README.md, "Redis Cluster and
 * failover"): {@code *.redis.wait-replicas}, {@code *.redis.wait-timeout} and {@code envgrid.allocator.fencing}, as
 * the rendered containers see them, plus the bound a service puts on {@code wait-timeout}.
 */
final class RedisDurability {

    /** Environment names of those settings, in every service: {@code ENVGRID_<SERVICE>_REDIS_WAIT_…}, {@code …_FENCING}. */
    private static final Pattern SETTING = Pattern.compile("ENVGRID_[A-Z0-9_]+_(REDIS_WAIT_REPLICAS|REDIS_WAIT_TIMEOUT|FENCING)");
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    /**
     * One service's Redis round-trip bound: the property, and where its default lives when nothing sets it.
     *
     * @param waitPrefix      environment prefix of its {@code redis.wait-*} settings, e.g. {@code ENVGRID_VM_CONTROLLER}
     * @param timeoutProperty the property bounding a Redis round trip that a {@code WAIT} must stay under
     */
    record Bound(String waitPrefix, String timeoutProperty) {
    }

    /**
     * What bounds each service's {@code WAIT}, by module. The vm-controller's {@code redis-timeout} bounds its script and
     * {@code WAIT} together, and it refuses to start with a {@code wait-timeout} at or past it. The allocator has no such
     * bound: it talks to Redis only through the reactive client, which {@code quarkus.redis.timeout} (blocking commands
     * only) does not limit, so its {@code WAIT} ends at {@code wait-timeout} alone.
     */
    static final Map<String, Bound> BOUNDS = Map.of(
            "vm-controller-service", new Bound("ENVGRID_VM_CONTROLLER", "envgrid.vm-controller.redis-timeout"));

    private RedisDurability() {
    }

    /**
     * Every container (init containers included) that sees one of the settings, directly or through a ConfigMap
     * it takes whole ({@code envFrom}): {@code "Kind namespace/name container"} → setting → value, sorted.
     */
    static Map<String, Map<String, String>> settings(Manifests manifests) {
        Map<String, Map<String, String>> found = new TreeMap<>();
        for (Workload w : Workload.all(manifests)) {
            for (Container c : containers(w)) {
                Map<String, String> seen = new TreeMap<>();
                environment(manifests, w, c).forEach((name, value) -> {
                    if (SETTING.matcher(name).matches()) {
                        seen.put(name, value);
                    }
                });
                if (!seen.isEmpty()) {
                    found.put(Manifests.id(w.owner()) + " " + c.getName(), seen);
                }
            }
        }
        return found;
    }

    /** ConfigMaps that carry one of the settings as a key: {@code "ConfigMap namespace/name"} → those keys. */
    static Map<String, List<String>> inConfigMaps(Manifests manifests) {
        Map<String, List<String>> found = new TreeMap<>();
        for (ConfigMap map : manifests.all(ConfigMap.class)) {
            List<String> keys = Optional.ofNullable(map.getData()).orElse(Map.of()).keySet().stream()
                    .filter(k -> SETTING.matcher(k).matches()).sorted().toList();
            if (!keys.isEmpty()) {
                found.put(Manifests.id(map), keys);
            }
        }
        return found;
    }

    /**
     * Every container that waits for replicas ({@code <prefix>_REDIS_WAIT_REPLICAS} above 0) with a {@code wait-timeout}
     * not shorter than its service's Redis timeout, each as a finding; both as the container sees them, else the
     * service's defaults (its {@code application.properties}, its mapping's {@code @WithDefault}).
     */
    static List<Finding> waitOutlastingTimeout(Manifests manifests, Repository repository) {
        List<Finding> findings = new ArrayList<>();
        for (Workload w : Workload.all(manifests)) {
            for (Container c : w.containers()) {
                Optional<ServiceConfig> service = repository.serviceOf(c.getImage());
                Bound bound = service.map(s -> BOUNDS.get(s.module())).orElse(null);
                if (bound == null) {
                    continue;
                }
                ServiceConfig config = service.get();
                Map<String, String> env = environment(manifests, w, c);
                int replicas = Integer.parseInt(env.getOrDefault(bound.waitPrefix() + "_REDIS_WAIT_REPLICAS",
                        config.mappingDefault("wait-replicas").orElseThrow()));
                if (replicas <= 0) {
                    continue;
                }
                Duration wait = duration(env.getOrDefault(bound.waitPrefix() + "_REDIS_WAIT_TIMEOUT",
                        config.mappingDefault("wait-timeout").orElseThrow()));
                String property = bound.timeoutProperty();
                String last = property.substring(property.lastIndexOf('.') + 1);
                Duration timeout = duration(Optional.ofNullable(env.get(ServiceConfig.env(property)))
                        .or(() -> config.property(property))
                        .or(() -> config.mappingDefault(last))
                        .orElseThrow(() -> new IllegalStateException(config.module() + " has no value for " + property)));
                if (wait.compareTo(timeout) >= 0) {
                    findings.add(new Finding(Manifests.id(w.owner()), "container " + c.getName() + " waits for " + replicas
                            + " replica(s) up to " + wait + ", not under " + property + " " + timeout));
                }
            }
        }
        return findings;
    }

    /** A container's environment as the kubelet builds it: envFrom ConfigMaps in order, then env (later wins). */
    private static Map<String, String> environment(Manifests manifests, Workload w, Container c) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvFromSource from : Optional.ofNullable(c.getEnvFrom()).orElse(List.of())) {
            if (from.getConfigMapRef() != null) {
                manifests.find(ConfigMap.class, w.namespace(), from.getConfigMapRef().getName())
                        .map(ConfigMap::getData).ifPresent(data -> data.forEach((k, v) ->
                                env.put(Optional.ofNullable(from.getPrefix()).orElse("") + k, v)));
            }
        }
        for (EnvVar var : Optional.ofNullable(c.getEnv()).orElse(List.of())) {
            // A value from a Secret or a field is not known here; it still names the setting.
            env.put(var.getName(), var.getValueFrom() == null ? Optional.ofNullable(var.getValue()).orElse("") : "<valueFrom>");
        }
        return env;
    }

    private static List<Container> containers(Workload w) {
        return Stream.concat(Optional.ofNullable(w.template().getSpec().getInitContainers()).orElse(List.of()).stream(),
                w.containers().stream()).toList();
    }

    /** Quarkus' duration forms: {@code 250ms}, {@code 5s}, {@code 10m}, {@code 24h}, a bare number of seconds, or ISO-8601. */
    static Duration duration(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.matches("\\d+")) {
            return Duration.ofSeconds(Long.parseLong(v));
        }
        Matcher m = SHORT_DURATION.matcher(v);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
        return Duration.parse(v.toUpperCase(Locale.ROOT));
    }
}
