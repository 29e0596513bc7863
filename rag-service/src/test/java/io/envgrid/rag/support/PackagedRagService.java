package io.envgrid.rag.support;

import io.envgrid.testsupport.process.PackagedApp;
import io.envgrid.rag.api.Api;
import io.restassured.RestAssured;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * This module's packaged rag-service for a failsafe test, as a JUnit extension
 * ({@code @RegisterExtension}): each test gets a fresh index directory under {@code target/}, which every
 * {@link #start} of the test reuses (so a restarted service finds what the last one wrote); {@link #start}
 * runs the service through {@link PackagedApp} with the tests' service token ({@link Api#SERVICE_TOKEN})
 * and points RestAssured at it; whatever was started last is stopped after each test.
 */
public final class PackagedRagService implements BeforeEachCallback, AfterEachCallback {

    private final Path log;
    private Path indexDir;
    private PackagedApp service;

    /** {@code logName}: the service's log file under {@code target/}, appended to by every start. */
    public PackagedRagService(String logName) {
        this.log = Path.of("target", logName);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        indexDir = Files.createTempDirectory(Files.createDirectories(Path.of("target")).toAbsolutePath(), "rag-index-");
    }

    /** Starts the service on the test's index directory with {@code settings} on top; RestAssured calls it from now on. */
    public PackagedApp start(Map<String, String> settings) {
        Map<String, String> properties = new HashMap<>(settings);
        properties.put("envgrid.rag.index-dir", indexDir.toString());
        properties.put("envgrid.allocator.service-token", Api.SERVICE_TOKEN);
        service = PackagedApps.ragService(List.of("-Xmx512m"), properties, log);
        RestAssured.baseURI = "http://127.0.0.1";
        RestAssured.port = service.port();
        return service;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (service != null) {
            service.close();
            service = null;
        }
    }
}
