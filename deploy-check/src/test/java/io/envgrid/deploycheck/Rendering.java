package io.envgrid.deploycheck;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The overlays rendered once per test JVM (kustomize takes about a second each on a loaded machine). */
final class Rendering {

    static final Path ROOT = Path.of(System.getProperty("envgrid.repo.root", "..")).toAbsolutePath().normalize();
    private static final Map<String, String> RENDERED = new HashMap<>();
    private static Kubectl kubectl;
    private static Repository repository;

    private Rendering() {
    }

    /** The YAML kustomize renders for {@code k8s/overlays/<overlay>}. */
    static synchronized String overlay(String overlay) throws IOException, InterruptedException {
        if (kubectl == null) {
            kubectl = Kubectl.unpack(ROOT, ROOT.resolve("deploy-check/target/kubectl"));
        }
        String yaml = RENDERED.get(overlay);
        if (yaml == null) {
            yaml = kubectl.kustomize(ROOT.resolve("k8s/overlays").resolve(overlay));
            RENDERED.put(overlay, yaml);
        }
        return yaml;
    }

    /** The services' configuration and k8s/README.md's Secrets. */
    static synchronized Repository repository() throws IOException {
        if (repository == null) {
            repository = Repository.read(ROOT);
        }
        return repository;
    }
}
