package io.envgrid.deploycheck;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What issue 15 asks of every workload and of the cluster around it: restricted pods (non-root, no privilege
 * escalation, no capabilities, RuntimeDefault seccomp, read-only root with /tmp as a volume, no service-account
 * token), requests and limits, a PodDisruptionBudget and topology spread for each replicated workload, HPAs
 * with behavior for the gateway and the allocator, namespaces at Pod Security restricted (device agents
 * excepted), a default-deny NetworkPolicy with egress in each namespace, and the gateway served only on its
 * public host over TLS. One exception, narrow: the desktop host runs as root with a listed set of capabilities
 * ({@link #DESKTOP_HOST_CAPABILITIES}).
 */
final class HardeningRules {

    /** The volume types Pod Security "restricted" admits (Kubernetes 1.32). */
    static final Set<String> RESTRICTED_VOLUMES = Set.of("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
            "persistentVolumeClaim", "projected", "secret");

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The one exception to non-root (k8s/README.md "Desktop hosts"): a pod whose only container runs the desktop host
     * image runs as root, because its agent switches each desktop to a uid of its own and makes its namespaces and
     * disks, and adds exactly these capabilities at most (DesktopHostImageTest starts the image with this bounding
     * set). Everything else stays as for every workload: no privilege, no escalation, read-only root, all other
     * capabilities dropped, RuntimeDefault seccomp; never in a namespace at Pod Security restricted; its init
     * containers non-root.
     */
    static final String DESKTOP_HOST_IMAGE = "envgrid/desktop-host";
    static final Set<String> DESKTOP_HOST_CAPABILITIES = Set.of("CHOWN", "DAC_OVERRIDE", "FOWNER", "KILL", "SETUID",
            "SETGID", "SYS_ADMIN", "SYS_CHROOT", "NET_ADMIN", "SYS_PTRACE");

    /** The workloads the issue asks an HPA for, by name. */
    static final Set<String> AUTOSCALED = Set.of("gateway", "resource-allocator");

    private HardeningRules() {
    }

    static List<Finding> check(Manifests manifests, Repository repository) {
        List<Finding> findings = new ArrayList<>();
        List<Workload> workloads = Workload.all(manifests);
        for (Workload w : workloads) {
            String id = Manifests.id(w.owner());
            var pod = w.template().getSpec();
            if (!Boolean.FALSE.equals(pod.getAutomountServiceAccountToken())) {
                findings.add(new Finding(id, "mounts a service-account token it does not need"));
            }
            PodSecurityContext podSecurity = Optional.ofNullable(pod.getSecurityContext()).orElse(new PodSecurityContext());
            boolean desktopHost = desktopHost(w);
            if (desktopHost) {
                if (restricted(manifests, w.namespace())) {
                    findings.add(new Finding(id, "runs the desktop host as root in " + w.namespace()
                            + ", a namespace at Pod Security restricted"));
                }
                Optional.ofNullable(pod.getInitContainers()).orElse(List.of()).stream()
                        .filter(c -> c.getSecurityContext() == null || !Boolean.TRUE.equals(c.getSecurityContext().getRunAsNonRoot()))
                        .forEach(c -> findings.add(new Finding(id + " init container " + c.getName(),
                                "may run as root: only the desktop host's agent is root")));
            } else if (!Boolean.TRUE.equals(podSecurity.getRunAsNonRoot())) {
                findings.add(new Finding(id, "pod may run as root (runAsNonRoot is not true)"));
            }
            if (podSecurity.getSeccompProfile() == null || !"RuntimeDefault".equals(podSecurity.getSeccompProfile().getType())) {
                findings.add(new Finding(id, "pod seccomp profile is not RuntimeDefault"));
            }
            if (restricted(manifests, w.namespace())) {
                Optional.ofNullable(pod.getVolumes()).orElse(List.of()).forEach(v -> {
                    Set<String> types = volumeTypes(v);
                    types.removeAll(RESTRICTED_VOLUMES);
                    if (!types.isEmpty()) {
                        findings.add(new Finding(id, "volume " + v.getName() + " of type " + types
                                + " is refused by Pod Security restricted in " + w.namespace()));
                    }
                });
            }
            for (Container c : w.containers()) {
                findings.addAll(container(id + " container " + c.getName(), c, repository.serviceOf(c.getImage()).isPresent(),
                        desktopHost ? DESKTOP_HOST_CAPABILITIES : Set.of()));
            }
            boolean replicated = !(w.owner() instanceof DaemonSet)
                    && (w.replicas().orElse(1) > 1 || manifests.all(HorizontalPodAutoscaler.class).stream()
                    .anyMatch(h -> h.getSpec().getScaleTargetRef().getName().equals(w.name())));
            if (replicated) {
                boolean budget = manifests.all(PodDisruptionBudget.class).stream().anyMatch(p ->
                        p.getMetadata().getNamespace().equals(w.namespace()) && w.selectedBy(p.getSpec().getSelector()));
                if (!budget) {
                    findings.add(new Finding(id, "replicated but no PodDisruptionBudget selects it"));
                }
                if (Optional.ofNullable(pod.getTopologySpreadConstraints()).orElse(List.of()).isEmpty()) {
                    findings.add(new Finding(id, "replicated but has no topology spread"));
                }
            }
        }
        for (String name : AUTOSCALED) {
            Optional<HorizontalPodAutoscaler> hpa = manifests.all(HorizontalPodAutoscaler.class).stream()
                    .filter(h -> h.getSpec().getScaleTargetRef().getName().equals(name)).findFirst();
            if (hpa.isEmpty() || hpa.get().getSpec().getBehavior() == null) {
                findings.add(new Finding("HorizontalPodAutoscaler " + name, "missing, or without behavior"));
            }
        }
        for (Namespace namespace : manifests.all(Namespace.class)) {
            String level = Optional.ofNullable(namespace.getMetadata().getLabels()).orElse(Map.of())
                    .get("pod-security.kubernetes.io/enforce");
            boolean devices = namespace.getMetadata().getName().endsWith("-devices");
            if (!devices && !"restricted".equals(level)) {
                findings.add(new Finding(Manifests.id(namespace), "Pod Security enforce level is " + level + ", not restricted"));
            }
            boolean defaultDeny = manifests.all(NetworkPolicy.class).stream().anyMatch(p ->
                    p.getMetadata().getNamespace().equals(namespace.getMetadata().getName())
                            && Optional.ofNullable(p.getSpec().getPodSelector().getMatchLabels()).orElse(Map.of()).isEmpty()
                            && Optional.ofNullable(p.getSpec().getPodSelector().getMatchExpressions()).orElse(List.of()).isEmpty()
                            && p.getSpec().getPolicyTypes().containsAll(List.of("Ingress", "Egress"))
                            && p.getSpec().getIngress().isEmpty() && p.getSpec().getEgress().isEmpty());
            if (!defaultDeny) {
                findings.add(new Finding(Manifests.id(namespace), "no default-deny NetworkPolicy for ingress and egress"));
            }
        }
        findings.addAll(publicHost(manifests));
        return findings;
    }

    /** Whether the namespace enforces Pod Security "restricted". */
    private static boolean restricted(Manifests manifests, String namespace) {
        return manifests.all(Namespace.class).stream().anyMatch(n -> n.getMetadata().getName().equals(namespace)
                && "restricted".equals(Optional.ofNullable(n.getMetadata().getLabels()).orElse(Map.of())
                .get("pod-security.kubernetes.io/enforce")));
    }

    /** The source fields a volume sets (its type), read from its JSON form so that no type is missed. */
    private static Set<String> volumeTypes(Volume volume) {
        Set<String> fields = new TreeSet<>();
        JSON.valueToTree(volume).fieldNames().forEachRemaining(fields::add);
        fields.remove("name");
        return fields;
    }

    /** Whether the pod's one container runs the desktop host image (any registry, tag or digest). */
    static boolean desktopHost(Workload w) {
        if (w.containers().size() != 1) {
            return false;
        }
        String image = w.containers().get(0).getImage().replaceFirst("@.*$", "").replaceFirst(":[^/]*$", "");
        return image.equals(DESKTOP_HOST_IMAGE) || image.endsWith("/" + DESKTOP_HOST_IMAGE);
    }

    /** @param allowed the capabilities the container may add (none but for the desktop host) */
    private static List<Finding> container(String id, Container c, boolean quarkus, Set<String> allowed) {
        List<Finding> findings = new ArrayList<>();
        SecurityContext security = Optional.ofNullable(c.getSecurityContext()).orElse(new SecurityContext());
        if (!Boolean.TRUE.equals(security.getReadOnlyRootFilesystem())) {
            findings.add(new Finding(id, "root filesystem is writable"));
        }
        if (!Boolean.FALSE.equals(security.getAllowPrivilegeEscalation())) {
            findings.add(new Finding(id, "allows privilege escalation"));
        }
        if (Boolean.TRUE.equals(security.getPrivileged())) {
            findings.add(new Finding(id, "is privileged"));
        }
        List<String> added = security.getCapabilities() == null ? List.of()
                : Optional.ofNullable(security.getCapabilities().getAdd()).orElse(List.of());
        if (security.getCapabilities() == null || !List.of("ALL").equals(security.getCapabilities().getDrop())
                || (allowed.isEmpty() && !added.isEmpty())) {
            findings.add(new Finding(id, "does not drop ALL capabilities (and add none)"));
        } else {
            List<String> beyond = added.stream().filter(a -> !allowed.contains(a)).sorted().toList();
            if (!beyond.isEmpty()) {
                findings.add(new Finding(id, "adds capabilities " + beyond + " beyond the desktop host's "
                        + new TreeSet<>(allowed)));
            }
        }
        var resources = c.getResources();
        if (resources == null || resources.getRequests() == null || resources.getLimits() == null
                || !resources.getRequests().keySet().containsAll(List.of("cpu", "memory"))
                || !resources.getLimits().keySet().containsAll(List.of("cpu", "memory"))) {
            findings.add(new Finding(id, "lacks cpu and memory requests and limits"));
        }
        boolean tmp = Optional.ofNullable(c.getVolumeMounts()).orElse(List.of()).stream().anyMatch(m -> m.getMountPath().equals("/tmp"));
        // Vert.x and Netty write under /tmp; Redis needs nothing beyond its data volume.
        if (quarkus && !tmp) {
            findings.add(new Finding(id, "no writable /tmp volume under its read-only root"));
        }
        return findings;
    }

    /** The Ingress and HTTPRoute serve exactly the hosts the gateway allows, the Ingress each over TLS. */
    private static List<Finding> publicHost(Manifests manifests) {
        List<Finding> findings = new ArrayList<>();
        Set<String> allowed = manifests.all(ConfigMap.class).stream().filter(m -> m.getMetadata().getName().equals("gateway-public"))
                .findFirst().map(m -> new TreeSet<>(Arrays.asList(m.getData().get("allowed-hosts").split(","))))
                .orElse(new TreeSet<>());
        for (Ingress ingress : manifests.all(Ingress.class)) {
            Set<String> tls = new TreeSet<>();
            Optional.ofNullable(ingress.getSpec().getTls()).orElse(List.of()).forEach(t -> tls.addAll(t.getHosts()));
            ingress.getSpec().getRules().forEach(rule -> {
                if (rule.getHost() == null) {
                    findings.add(new Finding(Manifests.id(ingress), "a rule has no host: the gateway would answer any name"));
                } else {
                    if (!tls.contains(rule.getHost())) {
                        findings.add(new Finding(Manifests.id(ingress), "host " + rule.getHost() + " is served without TLS"));
                    }
                    if (!allowed.contains(rule.getHost())) {
                        findings.add(new Finding(Manifests.id(ingress), "host " + rule.getHost() + " is not in the gateway's allowed hosts " + allowed));
                    }
                }
            });
        }
        for (HTTPRoute route : manifests.all(HTTPRoute.class)) {
            List<String> hostnames = Optional.ofNullable(route.getSpec().getHostnames()).orElse(List.of());
            if (hostnames.isEmpty() || !allowed.containsAll(hostnames)) {
                findings.add(new Finding(Manifests.id(route), "hostnames " + hostnames + " are not the gateway's allowed hosts " + allowed));
            }
        }
        return findings;
    }
}
