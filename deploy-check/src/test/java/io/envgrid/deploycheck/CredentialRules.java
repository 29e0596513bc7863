package io.envgrid.deploycheck;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Who holds what on a device host (k8s/README.md, "Credentials"). A device agent runs workers' commands on its host,
 * so its pod must hold nothing valid beyond that host: no container of it (init containers included) takes the
 * cluster's service-token Secret, by env, envFrom or volume; the agent-token key Secret reaches only the init
 * container that mints the host's own token ({@value #MINTER}), as a volume, never in an environment; an agent
 * running as root does not keep workers' commands as root (they run as {@code exec.user}).
 */
final class CredentialRules {

    /** The Secret every trusted service shares (the allocator accepts it for everything). */
    static final String SERVICE_TOKEN_SECRET = "envgrid-service-token";
    /** The Secret holding the key agent tokens are derived from (whoever has it mints any host's token). */
    static final String AGENT_TOKEN_KEY_SECRET = "envgrid-agent-token-key";
    /** The init container allowed to mount {@link #AGENT_TOKEN_KEY_SECRET}. */
    static final String MINTER = "mint-agent-token";
    /** The device agent's container name, and the pods of the device agents' DaemonSet ({@code app.kubernetes.io/name}). */
    static final String DEVICE_AGENT = "device-agent";
    /** The pods held to these rules, by {@code app.kubernetes.io/name}: the device agents and the desktop hosts. */
    static final Set<String> DEVICE_AGENT_PODS = Set.of(DEVICE_AGENT, "desktop-host");

    private CredentialRules() {
    }

    static List<Finding> check(Manifests manifests) {
        List<Finding> findings = new ArrayList<>();
        for (Workload w : Workload.all(manifests)) {
            if (!DEVICE_AGENT_PODS.contains(w.podLabels().get("app.kubernetes.io/name"))) {
                continue;
            }
            String id = Manifests.id(w.owner());
            var pod = w.template().getSpec();
            List<Volume> volumes = Optional.ofNullable(pod.getVolumes()).orElse(List.of());
            Set<String> serviceTokenVolumes = volumesOf(volumes, SERVICE_TOKEN_SECRET);
            Set<String> keyVolumes = volumesOf(volumes, AGENT_TOKEN_KEY_SECRET);
            List<Container> inits = Optional.ofNullable(pod.getInitContainers()).orElse(List.of());
            Stream.concat(inits.stream().map(c -> new Role(c, true)), w.containers().stream().map(c -> new Role(c, false)))
                    .forEach(role -> {
                        Container c = role.container();
                        String where = id + (role.init() ? " init container " : " container ") + c.getName();
                        boolean minter = role.init() && MINTER.equals(c.getName());
                        for (String secret : secretsInEnvironment(c)) {
                            if (named(secret, SERVICE_TOKEN_SECRET)) {
                                findings.add(new Finding(where, "takes the cluster's service token (Secret " + secret
                                        + ") into its environment: a device host holds no cluster-wide token"));
                            }
                            if (named(secret, AGENT_TOKEN_KEY_SECRET)) {
                                findings.add(new Finding(where, "takes the agent-token key (Secret " + secret
                                        + ") into its environment: it is mounted as a file in " + MINTER + " only"));
                            }
                        }
                        for (VolumeMount mount : Optional.ofNullable(c.getVolumeMounts()).orElse(List.<VolumeMount>of())) {
                            if (serviceTokenVolumes.contains(mount.getName())) {
                                findings.add(new Finding(where, "mounts the cluster's service token (volume " + mount.getName()
                                        + "): a device host holds no cluster-wide token"));
                            }
                            if (keyVolumes.contains(mount.getName()) && !minter) {
                                findings.add(new Finding(where, "mounts the agent-token key (volume " + mount.getName()
                                        + "), which only the init container " + MINTER + " may"));
                            }
                        }
                    });
            w.containers().stream().filter(c -> DEVICE_AGENT.equals(c.getName())).forEach(c -> findings.addAll(workersAsRoot(
                    id + " container " + c.getName(), c, Optional.ofNullable(pod.getSecurityContext()).map(s -> s.getRunAsUser()))));
        }
        return findings;
    }

    /**
     * An agent that runs as root can, and must, run workers' commands as another user ({@code exec.user}): otherwise
     * they read its token file and {@code /proc/<agent pid>/environ}. A non-root agent cannot switch (README
     * "Credentials" says what that leaves), so only a root one is held to this.
     */
    private static List<Finding> workersAsRoot(String id, Container c, Optional<Long> podUser) {
        Optional<Long> user = Optional.ofNullable(c.getSecurityContext()).map(s -> s.getRunAsUser()).or(() -> podUser);
        if (user.isEmpty() || user.get() != 0) {
            return List.of();
        }
        List<Finding> findings = new ArrayList<>();
        for (EnvVar env : Optional.ofNullable(c.getEnv()).orElse(List.of())) {
            String value = Optional.ofNullable(env.getValue()).orElse("").strip();
            if (env.getName().equals("ENVGRID_DEVICE_AGENT_EXEC_SWITCH_USER") && value.equalsIgnoreCase("false")) {
                findings.add(new Finding(id, "runs as root and keeps workers' commands as root (exec.switch-user=false): "
                        + "they would read its credentials"));
            }
            if (env.getName().equals("ENVGRID_DEVICE_AGENT_EXEC_USER") && Set.of("root", "0").contains(value)) {
                findings.add(new Finding(id, "runs as root and runs workers' commands as " + value
                        + ": they would read its credentials"));
            }
        }
        return findings;
    }

    private record Role(Container container, boolean init) {
    }

    /** Whether a rendered Secret name is {@code base}, or {@code base} with a generator's hash suffix. */
    private static boolean named(String rendered, String base) {
        return rendered.equals(base) || rendered.matches(java.util.regex.Pattern.quote(base) + "-[a-z0-9]{10}");
    }

    /** The Secrets a container's environment reads: {@code env[].valueFrom.secretKeyRef} and {@code envFrom[].secretRef}. */
    private static List<String> secretsInEnvironment(Container c) {
        List<String> secrets = new ArrayList<>();
        for (EnvVar env : Optional.ofNullable(c.getEnv()).orElse(List.of())) {
            if (env.getValueFrom() != null && env.getValueFrom().getSecretKeyRef() != null) {
                secrets.add(env.getValueFrom().getSecretKeyRef().getName());
            }
        }
        for (EnvFromSource source : Optional.ofNullable(c.getEnvFrom()).orElse(List.of())) {
            if (source.getSecretRef() != null) {
                secrets.add(source.getSecretRef().getName());
            }
        }
        return secrets;
    }

    /** The names of the volumes that carry Secret {@code base}: a secret volume, or a projected one with it among its sources. */
    private static Set<String> volumesOf(List<Volume> volumes, String base) {
        return volumes.stream().filter(v -> {
            if (v.getSecret() != null && named(v.getSecret().getSecretName(), base)) {
                return true;
            }
            return v.getProjected() != null && Optional.ofNullable(v.getProjected().getSources()).orElse(List.of()).stream()
                    .map(VolumeProjection::getSecret).anyMatch(s -> s != null && named(s.getName(), base));
        }).map(Volume::getName).collect(Collectors.toSet());
    }
}
