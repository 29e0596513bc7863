package io.envgrid.deviceagent.files;

import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.error.ApiException;
import io.envgrid.deviceagent.error.ErrorCode;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** The device tools' file limits: paths stay inside a device's directory, allowed types only, 100 MB at most. */
@ApplicationScoped
public class FileRules {

    private final DeviceAgentConfig config;

    public FileRules(DeviceAgentConfig config) {
        this.config = config;
    }

    /**
     * Resolves a path given by a caller inside {@code root}: relative paths from it, absolute ones only if they
     * already lie in it. Anything that leaves it, also through a symbolic link, is refused with 400.
     */
    public Path confine(Path root, String path) {
        Path base = root.toAbsolutePath().normalize();
        Path resolved;
        try {
            resolved = base.resolve(path).normalize();
        } catch (InvalidPathException e) {
            throw ApiException.badRequest("'" + path + "' is not a valid path");
        }
        if (!resolved.startsWith(base) || resolved.equals(base) || escapesThroughLink(base, resolved)) {
            throw new ApiException(400, ErrorCode.INVALID_PARAMETERS,
                    "path '" + path + "' leaves the device's files directory", Map.of("path", path));
        }
        return resolved;
    }

    public void requireAllowedType(String path) {
        String lower = path.toLowerCase(Locale.ROOT);
        if (config.allowedFileTypes().stream().noneMatch(lower::endsWith)) {
            throw new ApiException(415, ErrorCode.UNSUPPORTED_FILE_TYPE,
                    "file type of '" + path + "' is not allowed", Map.of("allowed", config.allowedFileTypes()));
        }
    }

    public void requireAllowedSize(Path file) {
        try {
            long size = Files.size(file);
            if (size > config.maxFileBytes()) {
                throw new ApiException(413, ErrorCode.FILE_TOO_LARGE,
                        "file is " + size + " bytes, more than the limit of " + config.maxFileBytes(),
                        Map.of("size_bytes", size, "max_bytes", config.maxFileBytes()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean escapesThroughLink(Path base, Path resolved) {
        try {
            Path existing = resolved;
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            return existing != null && !existing.toRealPath().startsWith(base.toRealPath());
        } catch (IOException e) {
            return true;
        }
    }
}
