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
     * <p>
     * The link test follows the names as the agent: only for a {@code root} no worker's user can change (an Android
     * device's {@code files/}). In a tree a worker's user writes, a name can be swapped for a link right after the test,
     * and the test itself would tell that user which files exist where it may not look: use {@link #inside} there and
     * let that user's own rights decide ({@link io.envgrid.deviceagent.exec.WorkerFiles}).
     */
    public Path confine(Path root, String path) {
        Path base = root.toAbsolutePath().normalize();
        Path resolved = inside(root, path);
        if (escapesThroughLink(base, resolved)) {
            throw leaves(path);
        }
        return resolved;
    }

    /**
     * Resolves a path given by a caller inside {@code root} by its name alone, without looking at the file system:
     * relative paths from it, absolute ones only if they already lie in it; {@code ..} that leaves it is refused with
     * 400. Links are not looked at: for a tree whose files are then only opened as a user that may follow them.
     */
    public Path inside(Path root, String path) {
        Path base = root.toAbsolutePath().normalize();
        Path resolved;
        try {
            resolved = base.resolve(path).normalize();
        } catch (InvalidPathException e) {
            throw ApiException.badRequest("'" + path + "' is not a valid path");
        }
        if (!resolved.startsWith(base) || resolved.equals(base)) {
            throw leaves(path);
        }
        return resolved;
    }

    private static ApiException leaves(String path) {
        return new ApiException(400, ErrorCode.INVALID_PARAMETERS,
                "path '" + path + "' leaves the device's files directory", Map.of("path", path));
    }

    public void requireAllowedType(String path) {
        String lower = path.toLowerCase(Locale.ROOT);
        if (config.allowedFileTypes().stream().noneMatch(lower::endsWith)) {
            throw new ApiException(415, ErrorCode.UNSUPPORTED_FILE_TYPE,
                    "file type of '" + path + "' is not allowed", Map.of("allowed", config.allowedFileTypes()));
        }
    }

    /** Refuses (413) a file, read by the agent, over the limit: only in a tree no worker's user can change. */
    public void requireAllowedSize(Path file) {
        try {
            long size = Files.size(file);
            if (size > maxBytes()) {
                throw tooLarge(size);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The largest file a device tool moves, in bytes ({@code max-file-bytes}). */
    public long maxBytes() {
        return config.maxFileBytes();
    }

    /** The 413 refusal of a file of {@code sizeBytes}, over {@link #maxBytes()}. */
    public ApiException tooLarge(long sizeBytes) {
        return new ApiException(413, ErrorCode.FILE_TOO_LARGE,
                "file is " + sizeBytes + " bytes, more than the limit of " + maxBytes(),
                Map.of("size_bytes", sizeBytes, "max_bytes", maxBytes()));
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
