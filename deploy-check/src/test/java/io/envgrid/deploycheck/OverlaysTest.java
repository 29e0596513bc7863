package io.envgrid.deploycheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Every overlay in k8s/overlays renders and passes the whole check. */
class OverlaysTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"dev,false", "prod,true", "prod-external-redis,true"})
    void overlayPassesTheCheck(String overlay, boolean production) throws Exception {
        Manifests manifests = Manifests.parse(Rendering.overlay(overlay));
        List<Finding> findings = DeployCheck.run(manifests, Rendering.repository(), production);
        System.out.printf("deploy-check %s: %d objects (%s), %d workloads, %d findings%n", overlay, manifests.objects().size(),
                manifests.objects().stream().collect(Collectors.groupingBy(o -> o.getKind(), java.util.TreeMap::new, Collectors.counting())),
                Workload.all(manifests).size(), findings.size());
        assertEquals(List.of(), findings.stream().map(Finding::toString).toList());
    }

    @Test
    void prodRunsSentinelAndNoSecrets() throws Exception {
        Manifests prod = Manifests.parse(Rendering.overlay("prod"));
        assertEquals(3, prod.find(StatefulSet.class, "envgrid", "redis-sentinel").orElseThrow().getSpec().getReplicas());
        assertEquals(3, prod.find(StatefulSet.class, "envgrid", "redis").orElseThrow().getSpec().getReplicas());
        assertTrue(prod.all(Secret.class).isEmpty());
        Manifests external = Manifests.parse(Rendering.overlay("prod-external-redis"));
        assertTrue(external.find(StatefulSet.class, "envgrid", "redis").isEmpty());
        assertTrue(external.find(StatefulSet.class, "envgrid", "redis-sentinel").isEmpty());
    }
}
