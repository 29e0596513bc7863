package io.envgrid.deploycheck;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A Deployment, StatefulSet or DaemonSet seen the same way: what it selects and the pods it makes.
 *
 * @param owner    the object itself
 * @param replicas declared replicas (a DaemonSet: empty, one per node)
 * @param selector its immutable selector
 * @param template its pod template
 */
record Workload(HasMetadata owner, Optional<Integer> replicas, LabelSelector selector, PodTemplateSpec template) {

    /** Every workload in the render. */
    static List<Workload> all(Manifests manifests) {
        List<Workload> all = new ArrayList<>();
        manifests.all(Deployment.class).forEach(d -> all.add(new Workload(d, Optional.ofNullable(d.getSpec().getReplicas()),
                d.getSpec().getSelector(), d.getSpec().getTemplate())));
        manifests.all(StatefulSet.class).forEach(s -> all.add(new Workload(s, Optional.ofNullable(s.getSpec().getReplicas()),
                s.getSpec().getSelector(), s.getSpec().getTemplate())));
        manifests.all(DaemonSet.class).forEach(d -> all.add(new Workload(d, Optional.empty(),
                d.getSpec().getSelector(), d.getSpec().getTemplate())));
        return all;
    }

    String namespace() {
        return owner.getMetadata().getNamespace();
    }

    String name() {
        return owner.getMetadata().getName();
    }

    Map<String, String> podLabels() {
        return Optional.ofNullable(template.getMetadata().getLabels()).orElse(Map.of());
    }

    List<Container> containers() {
        return template.getSpec().getContainers();
    }

    /** Whether a label selector (matchLabels and In/NotIn/Exists/DoesNotExist expressions) selects these pods. */
    boolean selectedBy(LabelSelector selector) {
        return matches(selector, podLabels());
    }

    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return false;
        }
        if (selector.getMatchLabels() != null) {
            for (var e : selector.getMatchLabels().entrySet()) {
                if (!Objects.equals(labels.get(e.getKey()), e.getValue())) {
                    return false;
                }
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (var expression : selector.getMatchExpressions()) {
                String value = labels.get(expression.getKey());
                boolean ok = switch (expression.getOperator()) {
                    case "In" -> value != null && expression.getValues().contains(value);
                    case "NotIn" -> value == null || !expression.getValues().contains(value);
                    case "Exists" -> value != null;
                    case "DoesNotExist" -> value == null;
                    default -> false;
                };
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }
}
