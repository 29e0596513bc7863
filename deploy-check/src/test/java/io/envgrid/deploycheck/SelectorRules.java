package io.envgrid.deploycheck;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Every selector selects what it is meant to: a workload's selector its own pods (and nothing version-bound,
 * since selectors are immutable), each Service, PodDisruptionBudget, topology spread and NetworkPolicy some
 * rendered pods, each HPA an existing workload.
 */
final class SelectorRules {

    /** Labels that change with a release; in an immutable selector they block the next rollout. */
    private static final List<String> RELEASE_LABELS = List.of("app.kubernetes.io/version", "version", "helm.sh/chart");

    private SelectorRules() {
    }

    static List<Finding> check(Manifests manifests) {
        List<Finding> findings = new ArrayList<>();
        List<Workload> workloads = Workload.all(manifests);
        for (Workload w : workloads) {
            String id = Manifests.id(w.owner());
            if (!w.selectedBy(w.selector())) {
                findings.add(new Finding(id, "selector " + w.selector().getMatchLabels() + " does not select its own pod labels " + w.podLabels()));
            }
            Optional.ofNullable(w.selector().getMatchLabels()).orElse(Map.of()).keySet().stream()
                    .filter(RELEASE_LABELS::contains)
                    .forEach(l -> findings.add(new Finding(id, "immutable selector carries release label " + l)));
            Optional.ofNullable(w.template().getSpec().getTopologySpreadConstraints()).orElse(List.of()).forEach(t -> {
                if (!w.selectedBy(t.getLabelSelector())) {
                    findings.add(new Finding(id, "topology spread on " + t.getTopologyKey() + " does not select its own pods"));
                }
            });
        }
        for (Service service : manifests.all(Service.class)) {
            Map<String, String> selector = service.getSpec().getSelector();
            if (selector != null && selector.keySet().stream().anyMatch(RELEASE_LABELS::contains)) {
                findings.add(new Finding(Manifests.id(service), "selector carries a release label"));
            }
            if (selector == null || selects(workloads, service, new LabelSelector(null, selector)).isEmpty()) {
                findings.add(new Finding(Manifests.id(service), "selector " + selector + " selects no pods"));
            }
        }
        for (PodDisruptionBudget pdb : manifests.all(PodDisruptionBudget.class)) {
            if (selects(workloads, pdb, pdb.getSpec().getSelector()).isEmpty()) {
                findings.add(new Finding(Manifests.id(pdb), "selects no pods"));
            }
        }
        for (HorizontalPodAutoscaler hpa : manifests.all(HorizontalPodAutoscaler.class)) {
            var target = hpa.getSpec().getScaleTargetRef();
            boolean exists = workloads.stream().anyMatch(w -> w.owner().getKind().equals(target.getKind())
                    && w.name().equals(target.getName()) && w.namespace().equals(hpa.getMetadata().getNamespace()));
            if (!exists) {
                findings.add(new Finding(Manifests.id(hpa), "scales " + target.getKind() + " " + target.getName() + ", which is not rendered"));
            }
        }
        for (NetworkPolicy policy : manifests.all(NetworkPolicy.class)) {
            findings.addAll(networkPolicy(policy, workloads, manifests));
        }
        return findings;
    }

    private static List<Finding> networkPolicy(NetworkPolicy policy, List<Workload> workloads, Manifests manifests) {
        List<Finding> findings = new ArrayList<>();
        String id = Manifests.id(policy);
        LabelSelector own = policy.getSpec().getPodSelector();
        boolean everyPod = Optional.ofNullable(own.getMatchLabels()).orElse(Map.of()).isEmpty()
                && Optional.ofNullable(own.getMatchExpressions()).orElse(List.of()).isEmpty();
        if (!everyPod && selects(workloads, policy, own).isEmpty()) {
            findings.add(new Finding(id, "podSelector selects no pods"));
        }
        Stream<NetworkPolicyPeer> peers = Stream.concat(
                policy.getSpec().getIngress().stream().flatMap(r -> r.getFrom().stream()),
                policy.getSpec().getEgress().stream().flatMap(r -> r.getTo().stream()));
        peers.forEach(peer -> {
            if (peer.getIpBlock() != null || peer.getPodSelector() == null) {
                return;
            }
            Optional<String> namespace = peerNamespace(peer, policy, manifests);
            if (namespace.isEmpty()) {
                return;
            }
            boolean any = workloads.stream().anyMatch(w -> w.namespace().equals(namespace.get())
                    && w.selectedBy(peer.getPodSelector()));
            if (!any) {
                findings.add(new Finding(id, "peer " + peer.getPodSelector().getMatchLabels() + " in namespace "
                        + namespace.get() + " selects no pods"));
            }
        });
        return findings;
    }

    /**
     * The namespace a peer's pod selector applies to: the policy's own, or the rendered namespace its
     * namespaceSelector names by kubernetes.io/metadata.name; empty for namespaces outside the render
     * (monitoring, kube-system), whose pods this check cannot see.
     */
    private static Optional<String> peerNamespace(NetworkPolicyPeer peer, NetworkPolicy policy, Manifests manifests) {
        if (peer.getNamespaceSelector() == null) {
            return Optional.of(policy.getMetadata().getNamespace());
        }
        Map<String, String> labels = Optional.ofNullable(peer.getNamespaceSelector().getMatchLabels()).orElse(Map.of());
        String name = labels.get("kubernetes.io/metadata.name");
        return manifests.all(Namespace.class).stream().map(n -> n.getMetadata().getName())
                .filter(n -> n.equals(name)).findFirst();
    }

    private static List<Workload> selects(List<Workload> workloads, HasMetadata by, LabelSelector selector) {
        return workloads.stream()
                .filter(w -> w.namespace().equals(by.getMetadata().getNamespace()) && w.selectedBy(selector))
                .toList();
    }
}
