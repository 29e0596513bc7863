package io.envgrid.gateway.sandbox.profile;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/** Where a profile comes from: a file named by the operator, else the one shipped in the application. */
public final class ProfileSource {

    /** The profile used when none is configured: desktops, rag, devices and {@code fetch}. */
    public static final String DEFAULT = "sandbox/default-profile.json";

    private ProfileSource() {
    }

    public static SandboxProfile load(String path, ObjectMapper json, Function<String, String> environment)
            throws ProfileException {
        String source = path == null ? "classpath:" + DEFAULT : path;
        return new ProfileReader(json, environment).read(source, content(path, source));
    }

    private static byte[] content(String path, String source) throws ProfileException {
        try {
            if (path != null) {
                return Files.readAllBytes(Path.of(path));
            }
            try (InputStream in = ProfileSource.class.getClassLoader().getResourceAsStream(DEFAULT)) {
                if (in == null) {
                    throw new IOException("not in the application");
                }
                return in.readAllBytes();
            }
        } catch (IOException e) {
            throw new ProfileException(source, List.of("cannot read it: " + e.getMessage()));
        }
    }
}
