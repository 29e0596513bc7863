package io.envgrid.deploycheck;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the repository says besides the manifests: each service module's configuration, and the Secrets the
 * operator creates before applying prod (the {@code kubectl create secret} lines of k8s/README.md, the one
 * place an operator reads them from).
 *
 * @param root            the repository root
 * @param services        service configuration by module directory name ({@code gateway-service}, …)
 * @param operatorSecrets {@code namespace/name/key} of every Secret key k8s/README.md has the operator create
 */
record Repository(Path root, Map<String, ServiceConfig> services, Set<String> operatorSecrets) {

    private static final Pattern CREATE_SECRET =
            Pattern.compile("kubectl -n (\\S+) create secret (?:generic|tls) (\\S+)((?: +--[^\\n]*)?)");
    private static final Pattern FROM = Pattern.compile("--from-(?:literal|file)=([A-Za-z0-9._-]+)=");

    /** Reads every {@code *-service} module and k8s/README.md under the root. */
    static Repository read(Path root) throws IOException {
        Map<String, ServiceConfig> services = new HashMap<>();
        try (Stream<Path> modules = Files.list(root)) {
            for (Path module : modules.filter(p -> p.getFileName().toString().endsWith("-service")).toList()) {
                services.put(module.getFileName().toString(), ServiceConfig.read(module));
            }
        }
        Set<String> secrets = new HashSet<>();
        String readme = Files.readString(root.resolve("k8s/README.md")).replace("\\\n", " ");
        Matcher m = CREATE_SECRET.matcher(readme);
        while (m.find()) {
            String prefix = m.group(1) + "/" + m.group(2) + "/";
            if (m.group(0).contains("create secret tls")) {
                secrets.add(prefix + "tls.crt");
                secrets.add(prefix + "tls.key");
            }
            Matcher key = FROM.matcher(m.group(3));
            while (key.find()) {
                secrets.add(prefix + key.group(1));
            }
        }
        return new Repository(root, Map.copyOf(services), Set.copyOf(secrets));
    }

    /**
     * Images the build makes from a service module on another base than {@code scratch}, by image repository: the
     * desktop host, the device agent on the desktops' programs (deploy-check's {@code image/DesktopHostImage}). Its
     * containers are held to the module's configuration like the module's own image.
     */
    static final Map<String, String> DERIVED_IMAGES = Map.of("envgrid/desktop-host", "device-agent-service");

    /**
     * The service an image is built from ({@code …/envgrid/gateway-service:tag} → gateway-service,
     * {@code …/envgrid/desktop-host:tag} → device-agent-service), if any.
     */
    Optional<ServiceConfig> serviceOf(String image) {
        String path = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
        String repository = path.replaceFirst(":[^/]*$", "");
        for (var derived : DERIVED_IMAGES.entrySet()) {
            if (repository.equals(derived.getKey()) || repository.endsWith("/" + derived.getKey())) {
                return Optional.ofNullable(services.get(derived.getValue()));
            }
        }
        String last = path.substring(path.lastIndexOf('/') + 1);
        String name = last.contains(":") ? last.substring(0, last.indexOf(':')) : last;
        return Optional.ofNullable(services.get(name));
    }

    /** The image repositories the build makes from a service's module: its own and those derived from it. */
    Set<String> imagesOf(ServiceConfig service) {
        Set<String> images = new HashSet<>();
        images.add(service.image());
        DERIVED_IMAGES.forEach((image, module) -> {
            if (module.equals(service.module())) {
                images.add(image);
            }
        });
        return images;
    }
}
