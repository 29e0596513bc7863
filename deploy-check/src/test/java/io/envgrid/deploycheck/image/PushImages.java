package io.envgrid.deploycheck.image;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Builds every packaged service's image (and, with the device agent's, the desktop host's) and pushes it to a
 * registry, printing each digest for
 * {@code kustomize edit set image}. Run by {@code mvn -B -pl deploy-check -Pimages verify
 * -Denvgrid.images.registry=registry.example.com[/path] [-Denvgrid.images.tag=0.1.0]} after
 * {@code mvn -B install -DskipTests}; credentials from ~/.docker/config.json.
 */
public final class PushImages {

    private PushImages() {
    }

    /** @param args the repository root */
    public static void main(String[] args) throws IOException, InterruptedException {
        Path root = Path.of(args.length > 0 ? args[0] : "..").toAbsolutePath().normalize();
        String registry = System.getProperty("envgrid.images.registry");
        if (registry == null || registry.isBlank()) {
            throw new IllegalArgumentException("set -Denvgrid.images.registry=<host[:port][/path]>");
        }
        boolean plainHttp = Boolean.getBoolean("envgrid.images.plain-http");
        Path work = root.resolve("deploy-check/target/image");
        ImageRuntime runtime = ImageRuntime.prepare(root, work.resolve("java-runtime"));
        try (Stream<Path> modules = Files.list(root)) {
            for (Path module : modules.filter(m -> Files.isRegularFile(m.resolve("target/quarkus-app/quarkus-run.jar"))).sorted().toList()) {
                Properties properties = new Properties();
                try (Reader reader = Files.newBufferedReader(module.resolve("src/main/resources/application.properties"))) {
                    properties.load(reader);
                }
                String repository = properties.getProperty("quarkus.container-image.group") + "/"
                        + properties.getProperty("quarkus.container-image.name");
                String tag = System.getProperty("envgrid.images.tag", "latest-build");
                ServiceImage image = new ServiceImage(repository, tag, module.resolve("target/quarkus-app"),
                        Integer.parseInt(properties.getProperty("quarkus.http.port")));
                String digest = image.push(runtime, registry, plainHttp, work.resolve("jib-cache"),
                        work.resolve("cds-staging").resolve(module.getFileName().toString()));
                System.out.println(repository + "=" + registry + "/" + repository + "@" + digest);
                if (module.getFileName().toString().equals(DESKTOP_HOST_MODULE)) {
                    // The desktop host: the device agent on the desktops' programs (k8s/README.md "Desktop hosts").
                    List<DesktopPackages.Package> packages = DesktopPackages.closure(DesktopPackages.ROOTS);
                    DesktopHostImage host = new DesktopHostImage(new ServiceImage(DESKTOP_HOST, tag,
                            module.resolve("target/quarkus-app"), image.httpPort()));
                    String hostDigest = host.push(packages, DesktopHostImage.baseUnlessPresent(packages, work.resolve("desktop-base")),
                            runtime, registry, plainHttp, work.resolve("jib-cache"), work.resolve("cds-staging").resolve(DESKTOP_HOST));
                    System.out.println(DESKTOP_HOST + "=" + registry + "/" + DESKTOP_HOST + "@" + hostDigest);
                }
            }
        }
    }

    /** The module the desktop host image is built from, and its repository. */
    private static final String DESKTOP_HOST_MODULE = "device-agent-service";
    private static final String DESKTOP_HOST = "envgrid/desktop-host";
}
