package io.envgrid.deploycheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One fault of each kind planted in the rendered dev overlay (which passes as rendered, see
 * {@link OverlaysTest}), and the finding it must cause.
 */
class PlantedFaultTest {

    private static Manifests dev;
    private static Repository repository;

    @BeforeAll
    static void render() throws Exception {
        dev = Manifests.parse(Rendering.overlay("dev"));
        repository = Rendering.repository();
        assertEquals(List.of(), DeployCheck.run(dev, repository, false), "the unchanged dev overlay must pass");
    }

    @Test
    void workloadSelectorThatMissesItsPods() {
        assertFinds("does not select its own pod labels", "Deployment", "gateway",
                d -> labels(d.withObjectProperty("spec").withObjectProperty("selector")).put("app.kubernetes.io/name", "gateway-v2"));
    }

    @Test
    void versionLabelInAnImmutableSelector() {
        assertFinds("release label app.kubernetes.io/version", "Deployment", "gateway", d -> {
            labels(d.withObjectProperty("spec").withObjectProperty("selector")).put("app.kubernetes.io/version", "0.1.0");
            labels(d.withObjectProperty("spec").withObjectProperty("template").withObjectProperty("metadata")).put("app.kubernetes.io/version", "0.1.0");
        });
    }

    @Test
    void serviceLabelThatSelectsNothing() {
        assertFinds("selects no pods", "Service", "vm-controller",
                d -> d.withObjectProperty("spec").withObjectProperty("selector").put("app.kubernetes.io/name", "vm-ctrl"));
    }

    @Test
    void networkPolicyPeerWithAMisspeltLabel() {
        assertFinds("peer {app.kubernetes.io/name=resource-alocator}", "NetworkPolicy", "rag",
                d -> labels((ObjectNode) d.withObjectProperty("spec").withArray("egress").get(0).withArray("to").get(0).withObjectProperty("podSelector"))
                        .put("app.kubernetes.io/name", "resource-alocator"));
    }

    @Test
    void serviceTargetPortNameNoContainerHas() {
        assertFinds("targetPort web is not a port name", "Service", "gateway",
                d -> ((ObjectNode) d.withObjectProperty("spec").withArray("ports").get(0)).put("targetPort", "web"));
    }

    @Test
    void containerPortOtherThanQuarkusHttpPort() {
        assertFinds("no port named http at quarkus.http.port 8081", "Deployment", "resource-allocator",
                d -> ((ObjectNode) container(d).withArray("ports").get(0)).put("containerPort", 9081));
    }

    @Test
    void probePathThatIsNotSmallRyeHealth() {
        assertFinds("readiness probe path /health is not /q/health/ready", "Deployment", "vm-controller",
                d -> container(d).withObjectProperty("readinessProbe").withObjectProperty("httpGet").put("path", "/health"));
    }

    @Test
    void probeOnAPortNameTheContainerLacks() {
        assertFinds("liveness probe port management is not a container port", "StatefulSet", "rag",
                d -> container(d).withObjectProperty("livenessProbe").withObjectProperty("httpGet").put("port", "management"));
    }

    @Test
    void secretReferenceToASecretNobodyCreates() {
        assertFinds("Secret envgrid/envgrid-gateway-oauth key tokens is neither rendered", "Deployment", "gateway",
                d -> env(d, "ENVGRID_GATEWAY_AUTH_TOKENS").withObjectProperty("valueFrom").withObjectProperty("secretKeyRef").put("name", "envgrid-gateway-oauth"));
    }

    @Test
    void optionalSecretThatWouldLetAPodRunOpen() {
        assertFinds("is optional: a pod without it would run open", "Deployment", "resource-allocator",
                d -> env(d, "ENVGRID_ALLOCATOR_SERVICE_TOKEN").withObjectProperty("valueFrom").withObjectProperty("secretKeyRef").put("optional", true));
    }

    @Test
    void configMapReferenceToAMissingKey() {
        assertFinds("reads ConfigMap gateway-public key allowed-host,", "Deployment", "gateway",
                d -> env(d, "ENVGRID_GATEWAY_MCP_ALLOWED_HOSTS").withObjectProperty("valueFrom").withObjectProperty("configMapKeyRef").put("key", "allowed-host"));
    }

    @Test
    void envFromAConfigMapThatIsNotRendered() {
        assertFinds("envFrom ConfigMap redis-conection is not rendered", "Deployment", "vm-controller",
                d -> ((ObjectNode) container(d).withArray("envFrom").get(0).withObjectProperty("configMapRef")).put("name", "redis-conection"));
    }

    @Test
    void envNameNoSettingOfTheServiceMapsTo() {
        assertFinds("env ENVGRID_GATEWAY_MCP_ALLOWED_HOST is no setting gateway-service reads", "Deployment", "gateway",
                d -> env(d, "ENVGRID_GATEWAY_MCP_ALLOWED_HOSTS").put("name", "ENVGRID_GATEWAY_MCP_ALLOWED_HOST"));
    }

    @Test
    void jvmOptionsOtherThanTheMeasuredOnes() {
        assertFinds("has JDK_JAVA_OPTIONS=-XX:+UseG1GC, not the measured options", "Deployment", "resource-allocator",
                d -> env(d, JvmOptionRules.VARIABLE).put("value", "-XX:+UseG1GC"));
    }

    @Test
    void anotherServicesSettingIsNoSettingOfThisOne() {
        // rag has no Redis client: QUARKUS_REDIS_HOSTS on it is a leftover, not a setting it reads.
        assertFinds("env QUARKUS_REDIS_HOSTS is no setting rag-service reads", "StatefulSet", "rag",
                d -> container(d).withArray("env").addObject().put("name", "QUARKUS_REDIS_HOSTS").put("value", "redis://redis:6379"));
    }

    @Test
    void gracePeriodShorterThanTheDrain() {
        assertFinds("terminationGracePeriodSeconds 20 is not longer than its drain (25 s", "Deployment", "gateway",
                d -> d.withObjectProperty("spec").withObjectProperty("template").withObjectProperty("spec").put("terminationGracePeriodSeconds", 20));
    }

    @Test
    void fieldTheTypedModelDoesNotKnow() {
        assertFinds("unknown field spec.template.spec.containers[0].readinesProbe", "Deployment", "gateway",
                d -> container(d).set("readinesProbe", container(d).get("readinessProbe").deepCopy()));
    }

    @Test
    void valueTheApiSchemaRejects() {
        // A Service port without its required port number: fabric8 takes it, the API server would not.
        assertFinds("rejected by the Kubernetes 1.32 schema", "Service", "rag",
                d -> ((ObjectNode) d.withObjectProperty("spec").withArray("ports").get(0)).remove("port"));
    }

    @Test
    void kindThatIsNoKubernetesKind() {
        assertFinds("has no typed model", "HorizontalPodAutoscaler", "gateway",
                d -> d.put("apiVersion", "autoscaling/v3"));
    }

    @Test
    void writableRootFilesystem() {
        assertFinds("root filesystem is writable", "DaemonSet", "device-agent",
                d -> container(d).withObjectProperty("securityContext").put("readOnlyRootFilesystem", false));
    }

    @Test
    void ingressHostServedWithoutTls() {
        assertFinds("is served without TLS", "Ingress", "gateway", d -> d.withObjectProperty("spec").remove("tls"));
    }

    @Test
    void ingressHostTheGatewayDoesNotAllow() {
        assertFinds("host envgrid.example.org is not in the gateway's allowed hosts", "Ingress", "gateway",
                d -> ((ObjectNode) d.withObjectProperty("spec").withArray("rules").get(0)).put("host", "envgrid.example.org"));
    }

    @Test
    void floatingImageTag() {
        assertFinds("image redis:7 is not pinned", "StatefulSet", "redis", d -> container(d).put("image", "redis:7"));
    }

    @Test
    void imageOfAnotherGroupThanTheBuildMakes() {
        assertFinds("is not the envgrid/vm-controller-service the build makes", "Deployment", "vm-controller",
                d -> container(d).put("image", "localhost:5000/envgird/vm-controller-service:0.1.0"));
    }

    @Test
    void replicatedWorkloadWithoutADisruptionBudget() {
        assertFinds("replicated but no PodDisruptionBudget selects it", "PodDisruptionBudget", "vm-controller",
                d -> labels(d.withObjectProperty("spec").withObjectProperty("selector")).put("app.kubernetes.io/name", "gateway"));
    }

    @Test
    void autoscalerWithoutBehavior() {
        assertFinds("HorizontalPodAutoscaler resource-allocator: missing, or without behavior", "HorizontalPodAutoscaler",
                "resource-allocator", d -> d.withObjectProperty("spec").remove("behavior"));
    }

    @Test
    void namespaceBelowPodSecurityRestricted() {
        assertFinds("Pod Security enforce level is baseline", "Namespace", "envgrid",
                d -> d.withObjectProperty("metadata").withObjectProperty("labels").put("pod-security.kubernetes.io/enforce", "baseline"));
    }

    @Test
    void hostPathInARestrictedNamespace() {
        assertFinds("volume host of type [hostPath] is refused by Pod Security restricted in envgrid", "Deployment", "gateway",
                d -> d.withObjectProperty("spec").withObjectProperty("template").withObjectProperty("spec").withArray("volumes").addObject()
                        .put("name", "host").putObject("hostPath").put("path", "/var/run"));
    }

    @Test
    void defaultDenyThatLetsEgressThrough() {
        assertFinds("no default-deny NetworkPolicy for ingress and egress", "NetworkPolicy", "default-deny",
                d -> d.withObjectProperty("spec").putArray("policyTypes").add("Ingress"));
    }

    @Test
    void secretInProductionManifests() {
        List<Finding> findings = DeployCheck.run(dev, repository, true);
        assertTrue(findings.stream().anyMatch(f -> f.problem().contains("a Secret in production manifests")), findings::toString);
    }

    @Test
    void deviceAgentWithTheServiceTokenInItsEnvironment() {
        assertFinds("container device-agent: takes the cluster's service token", "DaemonSet", "device-agent",
                d -> container(d).withArray("env").addObject().put("name", "ENVGRID_DEVICE_AGENT_SERVICE_TOKEN")
                        .putObject("valueFrom").putObject("secretKeyRef").put("name", "envgrid-service-token").put("key", "token"));
    }

    @Test
    void deviceAgentInitContainerWithTheServiceTokenFromEnvFrom() {
        assertFinds("init container mint-agent-token: takes the cluster's service token", "DaemonSet", "device-agent",
                d -> initContainer(d).withArray("envFrom").addObject().putObject("secretRef").put("name", "envgrid-service-token"));
    }

    @Test
    void deviceAgentWithTheServiceTokenAsAProjectedVolume() {
        assertFinds("container device-agent: mounts the cluster's service token (volume cluster-token)", "DaemonSet", "device-agent", d -> {
            d.withObjectProperty("spec").withObjectProperty("template").withObjectProperty("spec").withArray("volumes").addObject()
                    .put("name", "cluster-token").putObject("projected").putArray("sources").addObject()
                    .putObject("secret").put("name", "envgrid-service-token");
            container(d).withArray("volumeMounts").addObject().put("name", "cluster-token").put("mountPath", "/run/cluster");
        });
    }

    @Test
    void agentTokenKeyMountedInTheAgentItself() {
        assertFinds("container device-agent: mounts the agent-token key (volume agent-token-key)", "DaemonSet", "device-agent",
                d -> container(d).withArray("volumeMounts").addObject().put("name", "agent-token-key").put("mountPath", "/etc/key"));
    }

    @Test
    void agentTokenKeyInTheMintersEnvironment() {
        assertFinds("init container mint-agent-token: takes the agent-token key", "DaemonSet", "device-agent",
                d -> initContainer(d).withArray("env").addObject().put("name", "KEY").putObject("valueFrom")
                        .putObject("secretKeyRef").put("name", "envgrid-agent-token-key").put("key", "key"));
    }

    @Test
    void rootAgentThatKeepsWorkersAsRoot() {
        assertFinds("container device-agent: runs as root and keeps workers' commands as root", "DaemonSet", "device-agent", d -> {
            d.withObjectProperty("spec").withObjectProperty("template").withObjectProperty("spec").withObjectProperty("securityContext")
                    .put("runAsUser", 0).put("runAsNonRoot", false);
            container(d).withArray("env").addObject().put("name", "ENVGRID_DEVICE_AGENT_EXEC_SWITCH_USER").put("value", "false");
        });
    }

    @Test
    void desktopHostAddingACapabilityBeyondItsList() {
        assertFinds("container device-agent: adds capabilities [NET_RAW] beyond the desktop host's", "StatefulSet", "desktop-host",
                d -> container(d).withObjectProperty("securityContext").withObjectProperty("capabilities").withArray("add").add("NET_RAW"));
    }

    @Test
    void desktopHostPrivileged() {
        assertFinds("container device-agent: is privileged", "StatefulSet", "desktop-host",
                d -> container(d).withObjectProperty("securityContext").put("privileged", true));
    }

    @Test
    void desktopHostThatKeepsWorkersAsRoot() {
        assertFinds("container device-agent: runs as root and keeps workers' commands as root", "StatefulSet", "desktop-host",
                d -> container(d).withArray("env").addObject().put("name", "ENVGRID_DEVICE_AGENT_EXEC_SWITCH_USER").put("value", "false"));
    }

    @Test
    void desktopHostMinterAsRoot() {
        assertFinds("init container mint-agent-token: may run as root", "StatefulSet", "desktop-host",
                d -> initContainer(d).withObjectProperty("securityContext").remove("runAsNonRoot"));
    }

    @Test
    void rootIsTheDesktopHostsExceptionOnly() {
        // The device agents' DaemonSet runs the agent's own image: as root it is a finding, as before.
        assertFinds("DaemonSet envgrid-devices/device-agent: pod may run as root", "DaemonSet", "device-agent",
                d -> d.withObjectProperty("spec").withObjectProperty("template").withObjectProperty("spec")
                        .withObjectProperty("securityContext").put("runAsUser", 0).put("runAsNonRoot", false));
        // … and so are the desktop host's capabilities on it.
        assertFinds("DaemonSet envgrid-devices/device-agent container device-agent: does not drop ALL capabilities (and add none)",
                "DaemonSet", "device-agent", d -> container(d).withObjectProperty("securityContext").withObjectProperty("capabilities")
                        .putArray("add").add("SYS_ADMIN"));
    }

    @Test
    void desktopHostInARestrictedNamespace() {
        assertFinds("runs the desktop host as root in envgrid, a namespace at Pod Security restricted", "StatefulSet", "desktop-host",
                d -> d.withObjectProperty("metadata").put("namespace", "envgrid"));
    }

    /** Plants a fault in a copy of one dev document and asserts a finding about it. */
    private static void assertFinds(String expected, String kind, String name, Consumer<ObjectNode> fault) {
        List<ObjectNode> documents = dev.documents().stream().map(ObjectNode::deepCopy).toList();
        ObjectNode target = documents.stream()
                .filter(d -> d.path("kind").asText().equals(kind) && d.path("metadata").path("name").asText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in the dev overlay"));
        fault.accept(target);
        List<Finding> findings = DeployCheck.run(Manifests.of(documents), repository, false);
        assertTrue(findings.stream().anyMatch(f -> f.toString().contains(expected)),
                () -> "expected a finding containing \"" + expected + "\", got " + findings);
    }

    private static ObjectNode labels(ObjectNode selectorOrMetadata) {
        return selectorOrMetadata.has("matchLabels") ? selectorOrMetadata.withObjectProperty("matchLabels") : selectorOrMetadata.withObjectProperty("labels");
    }

    private static ObjectNode container(ObjectNode workload) {
        return (ObjectNode) workload.withObjectProperty("spec").withObjectProperty("template").withObjectProperty("spec").withArray("containers").get(0);
    }

    private static ObjectNode initContainer(ObjectNode workload) {
        return (ObjectNode) workload.withObjectProperty("spec").withObjectProperty("template").withObjectProperty("spec")
                .withArray("initContainers").get(0);
    }

    private static ObjectNode env(ObjectNode workload, String name) {
        ArrayNode env = container(workload).withArray("env");
        for (var item : env) {
            if (item.path("name").asText().equals(name)) {
                return (ObjectNode) item;
            }
        }
        throw new AssertionError("no env " + name);
    }
}
