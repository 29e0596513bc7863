package io.envgrid.deploycheck.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Reads an image back from a registry over the distribution API (v2): its manifest (OCI or Docker v2.2), its
 * config blob, and its layer blobs.
 */
final class RegistryReader {

    private static final String ACCEPT = "application/vnd.oci.image.manifest.v1+json,"
            + "application/vnd.docker.distribution.manifest.v2+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String url;

    /** @param url the registry's base URL, {@code http://host:port} */
    RegistryReader(String url) {
        this.url = url;
    }

    /**
     * A manifest as served.
     *
     * @param json   its content
     * @param digest {@code sha256:} of its bytes, as the registry stores it
     */
    record Manifest(JsonNode json, String digest) {
    }

    /** The manifest of {@code repository:reference} (a tag or a digest). */
    Manifest manifest(String repository, String reference) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/v2/" + repository + "/manifests/" + reference))
                .header("Accept", ACCEPT).build();
        byte[] body = ok(http.send(request, HttpResponse.BodyHandlers.ofByteArray()), "manifest " + reference);
        try {
            return new Manifest(JSON.readTree(body), "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** A JSON blob (the image config). */
    JsonNode jsonBlob(String repository, String digest) throws IOException, InterruptedException {
        return JSON.readTree(ok(http.send(blob(repository, digest), HttpResponse.BodyHandlers.ofByteArray()), "blob " + digest));
    }

    /** Downloads a blob (a layer) to a file. */
    Path blobTo(String repository, String digest, Path file) throws IOException, InterruptedException {
        HttpResponse<Path> response = http.send(blob(repository, digest), HttpResponse.BodyHandlers.ofFile(file));
        if (response.statusCode() != 200) {
            throw new IOException("blob " + digest + ": HTTP " + response.statusCode());
        }
        return file;
    }

    private HttpRequest blob(String repository, String digest) {
        return HttpRequest.newBuilder(URI.create(url + "/v2/" + repository + "/blobs/" + digest)).build();
    }

    private static byte[] ok(HttpResponse<byte[]> response, String what) throws IOException {
        if (response.statusCode() != 200) {
            throw new IOException(what + ": HTTP " + response.statusCode() + " " + new String(response.body()));
        }
        return response.body();
    }
}
