package io.envgrid.deploycheck;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Every name one object uses for another, and every name the manifests use for a service's own setting, is one
 * that exists: port names of Services, Ingress and HTTPRoute backends, probe paths and ports, Secret and ConfigMap
 * references with their keys, environment variable names against the service's configuration, container ports
 * against {@code quarkus.http.port}, and the grace period against the service's drain.
 */
final class ReferenceRules {

    /** SmallRye Health's endpoints, by probe. */
    static final Map<String, String> HEALTH = Map.of("startup", "/q/health/started",
            "liveness", "/q/health/live", "readiness", "/q/health/ready");
    private static final Pattern DEPENDENT_VAR = Pattern.compile("\\$\\(([A-Z_][A-Z0-9_]*)\\)");
    private static final Pattern SLEEP = Pattern.compile("^\\d+$");
    /** Variables the JVM reads itself rather than through configuration. */
    private static final Set<String> PROCESS_ENV = Set.of("HOME", "JAVA_OPTS", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "TZ");

    private ReferenceRules() {
    }

    static List<Finding> check(Manifests manifests, Repository repository) {
        List<Finding> findings = new ArrayList<>();
        List<Workload> workloads = Workload.all(manifests);
        for (Service service : manifests.all(Service.class)) {
            List<Workload> selected = workloads.stream().filter(w -> w.namespace().equals(service.getMetadata().getNamespace())
                    && service.getSpec().getSelector() != null && Workload.matches(
                    new io.fabric8.kubernetes.api.model.LabelSelector(null, service.getSpec().getSelector()), w.podLabels())).toList();
            for (ServicePort port : service.getSpec().getPorts()) {
                IntOrString target = port.getTargetPort();
                if (target != null && target.getStrVal() != null) {
                    for (Workload w : selected) {
                        if (w.containers().stream().noneMatch(c -> portNamed(c, target.getStrVal()).isPresent())) {
                            findings.add(new Finding(Manifests.id(service), "targetPort " + target.getStrVal()
                                    + " is not a port name of " + Manifests.id(w.owner())));
                        }
                    }
                }
            }
        }
        for (Ingress ingress : manifests.all(Ingress.class)) {
            ingress.getSpec().getRules().forEach(rule -> rule.getHttp().getPaths().forEach(path -> {
                var backend = path.getBackend().getService();
                Optional<Service> service = manifests.find(Service.class, ingress.getMetadata().getNamespace(), backend.getName());
                boolean port = service.isPresent() && service.get().getSpec().getPorts().stream().anyMatch(p ->
                        backend.getPort().getName() != null ? backend.getPort().getName().equals(p.getName())
                                : backend.getPort().getNumber().equals(p.getPort()));
                if (!port) {
                    findings.add(new Finding(Manifests.id(ingress), "backend " + backend.getName() + " port "
                            + Optional.ofNullable(backend.getPort().getName()).orElse(String.valueOf(backend.getPort().getNumber()))
                            + " is not a rendered Service port"));
                }
            }));
        }
        for (HTTPRoute route : manifests.all(HTTPRoute.class)) {
            route.getSpec().getRules().forEach(rule -> rule.getBackendRefs().forEach(ref -> {
                Optional<Service> service = manifests.find(Service.class, route.getMetadata().getNamespace(), ref.getName());
                if (service.isEmpty() || service.get().getSpec().getPorts().stream().noneMatch(p -> p.getPort().equals(ref.getPort()))) {
                    findings.add(new Finding(Manifests.id(route), "backendRef " + ref.getName() + ":" + ref.getPort()
                            + " is not a rendered Service port"));
                }
            }));
        }
        for (Workload w : workloads) {
            for (Container c : w.containers()) {
                findings.addAll(container(w, c, manifests, repository));
            }
            Optional.ofNullable(w.template().getSpec().getVolumes()).orElse(List.of()).stream()
                    .filter(v -> v.getConfigMap() != null)
                    .forEach(v -> {
                        Optional<ConfigMap> map = manifests.find(ConfigMap.class, w.namespace(), v.getConfigMap().getName());
                        if (map.isEmpty()) {
                            findings.add(new Finding(Manifests.id(w.owner()), "volume " + v.getName() + " mounts ConfigMap "
                                    + v.getConfigMap().getName() + ", which is not rendered"));
                        } else {
                            Optional.ofNullable(v.getConfigMap().getItems()).orElse(List.of()).stream()
                                    .filter(i -> !map.get().getData().containsKey(i.getKey()))
                                    .forEach(i -> findings.add(new Finding(Manifests.id(w.owner()), "volume " + v.getName()
                                            + " takes key " + i.getKey() + " that ConfigMap " + v.getConfigMap().getName() + " lacks")));
                        }
                    });
        }
        return findings;
    }

    private static List<Finding> container(Workload w, Container c, Manifests manifests, Repository repository) {
        List<Finding> findings = new ArrayList<>();
        String id = Manifests.id(w.owner()) + " container " + c.getName();
        Set<String> dependent = Optional.ofNullable(c.getEnv()).orElse(List.of()).stream()
                .map(EnvVar::getValue).filter(v -> v != null)
                .flatMap(v -> { Matcher m = DEPENDENT_VAR.matcher(v); List<String> names = new ArrayList<>();
                    while (m.find()) { names.add(m.group(1)); } return names.stream(); })
                .collect(Collectors.toSet());
        Optional<ServiceConfig> service = repository.serviceOf(c.getImage());
        List<String> envNames = new ArrayList<>();
        for (EnvVar env : Optional.ofNullable(c.getEnv()).orElse(List.of())) {
            envNames.add(env.getName());
            var from = env.getValueFrom();
            if (from != null && from.getSecretKeyRef() != null) {
                var ref = from.getSecretKeyRef();
                findings.addAll(secretRef(id, w.namespace(), ref.getName(), ref.getKey(), Boolean.TRUE.equals(ref.getOptional()), manifests, repository));
            }
            if (from != null && from.getConfigMapKeyRef() != null) {
                var ref = from.getConfigMapKeyRef();
                Optional<ConfigMap> map = manifests.find(ConfigMap.class, w.namespace(), ref.getName());
                if (map.isEmpty() || !map.get().getData().containsKey(ref.getKey())) {
                    findings.add(new Finding(id, "env " + env.getName() + " reads ConfigMap " + ref.getName() + " key "
                            + ref.getKey() + ", which is not rendered"));
                }
            }
        }
        for (var source : Optional.ofNullable(c.getEnvFrom()).orElse(List.of())) {
            if (source.getConfigMapRef() != null) {
                Optional<ConfigMap> map = manifests.find(ConfigMap.class, w.namespace(), source.getConfigMapRef().getName());
                if (map.isEmpty()) {
                    findings.add(new Finding(id, "envFrom ConfigMap " + source.getConfigMapRef().getName() + " is not rendered"));
                } else {
                    envNames.addAll(map.get().getData().keySet());
                }
            }
        }
        if (service.isEmpty()) {
            return findings;
        }
        ServiceConfig config = service.get();
        String imageRepository = c.getImage().replaceFirst("[@:][^/]*$", "");
        if (repository.imagesOf(config).stream().noneMatch(i -> imageRepository.equals(i) || imageRepository.endsWith("/" + i))) {
            findings.add(new Finding(id, "image " + c.getImage() + " is not the " + config.image() + " the build makes"));
        }
        for (String name : envNames) {
            if (!dependent.contains(name) && !PROCESS_ENV.contains(name) && !config.reads(name)) {
                findings.add(new Finding(id, "env " + name + " is no setting " + config.module() + " reads"));
            }
        }
        List<ContainerPort> ports = Optional.ofNullable(c.getPorts()).orElse(List.of());
        if (portNamed(c, "http").map(ContainerPort::getContainerPort).filter(p -> p == config.httpPort()).isEmpty()) {
            findings.add(new Finding(id, "no port named http at quarkus.http.port " + config.httpPort() + " (has " + ports + ")"));
        }
        probe(findings, id, c, "startup", c.getStartupProbe());
        probe(findings, id, c, "liveness", c.getLivenessProbe());
        probe(findings, id, c, "readiness", c.getReadinessProbe());
        long drain = config.shutdownTimeout().toSeconds() + preStopSleep(c);
        Long grace = w.template().getSpec().getTerminationGracePeriodSeconds();
        if (grace == null || grace <= drain) {
            findings.add(new Finding(id, "terminationGracePeriodSeconds " + grace + " is not longer than its drain ("
                    + drain + " s: preStop sleep + quarkus.shutdown.timeout)"));
        }
        return findings;
    }

    private static void probe(List<Finding> findings, String id, Container c, String kind, Probe probe) {
        if (probe == null || probe.getHttpGet() == null) {
            findings.add(new Finding(id, "no HTTP " + kind + " probe"));
            return;
        }
        if (!HEALTH.get(kind).equals(probe.getHttpGet().getPath())) {
            findings.add(new Finding(id, kind + " probe path " + probe.getHttpGet().getPath() + " is not " + HEALTH.get(kind)));
        }
        IntOrString port = probe.getHttpGet().getPort();
        boolean known = port.getStrVal() != null ? portNamed(c, port.getStrVal()).isPresent()
                : Optional.ofNullable(c.getPorts()).orElse(List.of()).stream().anyMatch(p -> p.getContainerPort().equals(port.getIntVal()));
        if (!known) {
            findings.add(new Finding(id, kind + " probe port " + Optional.ofNullable(port.getStrVal()).orElse(String.valueOf(port.getIntVal()))
                    + " is not a container port"));
        }
    }

    private static long preStopSleep(Container c) {
        if (c.getLifecycle() == null || c.getLifecycle().getPreStop() == null || c.getLifecycle().getPreStop().getExec() == null) {
            return 0;
        }
        List<String> command = c.getLifecycle().getPreStop().getExec().getCommand();
        return command.size() == 2 && command.get(0).equals("sleep") && SLEEP.matcher(command.get(1)).matches()
                ? Long.parseLong(command.get(1)) : 0;
    }

    private static List<Finding> secretRef(String id, String namespace, String name, String key, boolean optional,
                                           Manifests manifests, Repository repository) {
        List<Finding> findings = new ArrayList<>();
        if (optional) {
            findings.add(new Finding(id, "Secret " + name + " is optional: a pod without it would run open"));
        }
        Optional<Secret> rendered = manifests.find(Secret.class, namespace, name);
        boolean present = rendered.map(s -> Optional.ofNullable(s.getData()).orElse(Map.of()).containsKey(key)
                        || Optional.ofNullable(s.getStringData()).orElse(Map.of()).containsKey(key))
                .orElse(repository.operatorSecrets().contains(namespace + "/" + name + "/" + key));
        if (!present) {
            findings.add(new Finding(id, "Secret " + namespace + "/" + name + " key " + key
                    + " is neither rendered nor created by the operator as k8s/README.md says"));
        }
        return findings;
    }

    private static Optional<ContainerPort> portNamed(Container c, String name) {
        return Optional.ofNullable(c.getPorts()).orElse(List.of()).stream().filter(p -> name.equals(p.getName())).findFirst();
    }
}
