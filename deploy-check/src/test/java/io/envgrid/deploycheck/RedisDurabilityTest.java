package io.envgrid.deploycheck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which overlay turns on what makes a Redis failover lose nothing acknowledged (k8s/README.md, "Redis"): the Sentinel
 * overlay waits for one replica in both services that write state and fences with the clock; the others as decided.
 * Each setting only on the workload that reads it, never in a ConfigMap every service takes.
 */
class RedisDurabilityTest {

    private static final String ALLOCATOR = "Deployment envgrid/resource-allocator resource-allocator";
    private static final String VM_CONTROLLER = "Deployment envgrid/vm-controller vm-controller";

    @Test
    void prodWaitsForAReplicaAndFencesWithTheClock() throws Exception {
        Manifests prod = Manifests.parse(Rendering.overlay("prod"));
        assertEquals(Map.of(
                ALLOCATOR, Map.of("ENVGRID_ALLOCATOR_REDIS_WAIT_REPLICAS", "1", "ENVGRID_ALLOCATOR_FENCING", "clock"),
                VM_CONTROLLER, Map.of("ENVGRID_VM_CONTROLLER_REDIS_WAIT_REPLICAS", "1")), RedisDurability.settings(prod));
        assertEquals(Map.of(), RedisDurability.inConfigMaps(prod));
        assertEquals(List.of(), RedisDurability.waitOutlastingTimeout(prod, Rendering.repository()));
    }

    @Test
    void externalRedisFencesWithTheClockOnly() throws Exception {
        // Its replicas are unknown: waiting for one that does not exist would fail every state change.
        Manifests external = Manifests.parse(Rendering.overlay("prod-external-redis"));
        assertEquals(Map.of(ALLOCATOR, Map.of("ENVGRID_ALLOCATOR_FENCING", "clock")), RedisDurability.settings(external));
        assertEquals(Map.of(), RedisDurability.inConfigMaps(external));
    }

    @Test
    void devKeepsTheDefaults() throws Exception {
        // One Redis, no replica: WAIT 1 would answer every state change 503 after wait-timeout.
        Manifests dev = Manifests.parse(Rendering.overlay("dev"));
        assertEquals(Map.of(), RedisDurability.settings(dev));
        assertEquals(Map.of(), RedisDurability.inConfigMaps(dev));
    }

    @Test
    void aWaitAtTheRedisTimeoutIsFound() throws Exception {
        Manifests prod = Manifests.parse(Rendering.overlay("prod"));
        Repository repository = Rendering.repository();
        // The controller's redis-timeout (5 s default) bounds script and WAIT together: a 5 s wait is refused.
        Manifests slowController = withEnv(prod, "vm-controller", "ENVGRID_VM_CONTROLLER_REDIS_WAIT_TIMEOUT", "5s");
        assertEquals(List.of("Deployment envgrid/vm-controller: container vm-controller waits for 1 replica(s) up to PT5S,"
                + " not under envgrid.vm-controller.redis-timeout PT5S"),
                RedisDurability.waitOutlastingTimeout(slowController, repository).stream().map(Finding::toString).toList());
        // Its own setting, lowered to the 1 s default wait-timeout, is refused too.
        Manifests shortTimeout = withEnv(prod, "vm-controller", "ENVGRID_VM_CONTROLLER_REDIS_TIMEOUT", "1s");
        assertEquals(List.of("Deployment envgrid/vm-controller: container vm-controller waits for 1 replica(s) up to PT1S,"
                + " not under envgrid.vm-controller.redis-timeout PT1S"),
                RedisDurability.waitOutlastingTimeout(shortTimeout, repository).stream().map(Finding::toString).toList());
    }

    /** The render with one more variable in the named Deployment's first container. */
    private static Manifests withEnv(Manifests manifests, String deployment, String name, String value) {
        List<ObjectNode> documents = manifests.documents().stream().map(ObjectNode::deepCopy).toList();
        documents.stream().filter(d -> d.path("kind").asText().equals("Deployment")
                        && d.path("metadata").path("name").asText().equals(deployment))
                .forEach(d -> ((ObjectNode) d.withObjectProperty("spec").withObjectProperty("template").withObjectProperty("spec")
                        .withArray("containers").get(0)).withArray("env").addObject().put("name", name).put("value", value));
        return Manifests.of(documents);
    }
}
