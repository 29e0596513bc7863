package io.envgrid.deviceagent.operation;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.deviceagent.driver.CommandResult;
import io.envgrid.deviceagent.driver.DeviceDriver;
import io.envgrid.deviceagent.driver.DeviceTarget;
import io.envgrid.deviceagent.driver.DriverRegistry;
import io.envgrid.deviceagent.error.ApiException;
import io.envgrid.deviceagent.error.ErrorCode;
import io.envgrid.deviceagent.event.EventBroadcaster;
import io.envgrid.deviceagent.files.FileRules;
import io.envgrid.deviceagent.presence.DevicePresence;
import io.envgrid.deviceagent.record.DeviceStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The device operations ({@code device.connect}, {@code .disconnect}, {@code .execute}, {@code .upload},
 * {@code .download}): driver work on the device itself, through the driver of its type, with file names confined
 * to the device's {@code files/} directory and each command logged in its {@code logs/commands.log}. Where the device's
 * own user writes {@code files/} ({@link DeviceDriver#ownsFilesDirectory()}), the agent only confines the names
 * lexically and leaves every look into that tree to the driver, made as that user.
 */
@ApplicationScoped
public class DeviceOperations {

    private static final Logger LOG = Logger.getLogger(DeviceOperations.class);

    private final DeviceStore store;
    private final DriverRegistry drivers;
    private final DevicePresence presence;
    private final FileRules files;
    private final EventBroadcaster events;
    private final ObjectMapper json;

    public DeviceOperations(DeviceStore store, DriverRegistry drivers, DevicePresence presence, FileRules files,
            EventBroadcaster events, ObjectMapper json) {
        this.json = json;
        this.store = store;
        this.drivers = drivers;
        this.presence = presence;
        this.files = files;
        this.events = events;
    }

    public Map<String, Object> connect(String deviceId) {
        DeviceTarget target = target(deviceId);
        driverOf(deviceId).connect(target);
        presence.connected(deviceId);
        events.deviceStatus(deviceId, DevicePresence.CONNECTED);
        return Map.of("success", true, "device_id", deviceId);
    }

    public Map<String, Object> disconnect(String deviceId) {
        DeviceTarget target = target(deviceId);
        driverOf(deviceId).disconnect(target);
        presence.disconnected(deviceId);
        events.deviceStatus(deviceId, presence.of(deviceId));
        return Map.of("success", true, "device_id", deviceId);
    }

    /** A command that exits non-zero is reported with {@code success: false}; only failing to run it is an error. */
    public Map<String, Object> execute(String deviceId, String command) {
        DeviceTarget target = target(deviceId);
        CommandResult result = driverOf(deviceId).execute(target, command);
        logCommand(deviceId, command, result.exitCode());
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("success", result.succeeded());
        response.put("output", result.output());
        response.put("error", result.error());
        response.put("exit_code", result.exitCode());
        response.put("device_id", deviceId);
        return response;
    }

    /** {@code local_path} names a file in the device's {@code files/} directory; {@code install} installs it. */
    public Map<String, Object> upload(String deviceId, String localPath, String remotePath, boolean install) {
        DeviceTarget target = target(deviceId);
        DeviceDriver driver = driverOf(deviceId);
        Path local = uploadSource(target, driver, localPath);
        if (install) {
            driver.install(target, local);
        } else {
            driver.push(target, local, remotePath);
        }
        Map<String, Object> response = transfer(deviceId, localPath, remotePath);
        response.put("installed", install);
        return response;
    }

    /** The file an upload sends, confined to {@code files/}, of an allowed type and (where the agent may look) size. */
    private Path uploadSource(DeviceTarget target, DeviceDriver driver, String localPath) {
        if (driver.ownsFilesDirectory()) {
            // the device's user writes files/: the push tests and reads the file as that user, the agent never by name
            Path local = files.inside(target.filesDirectory(), localPath);
            files.requireAllowedType(localPath);
            return local;
        }
        Path local = files.confine(target.filesDirectory(), localPath);
        files.requireAllowedType(localPath);
        if (!Files.isRegularFile(local)) {
            throw new ApiException(400, ErrorCode.INVALID_PARAMETERS,
                    "no file '" + localPath + "' in the device's files directory", Map.of("local_path", localPath));
        }
        files.requireAllowedSize(local);
        return local;
    }

    /** The file lands in the device's {@code files/} directory; one over the size limit is removed again. */
    public Map<String, Object> download(String deviceId, String remotePath, String localPath) {
        DeviceTarget target = target(deviceId);
        DeviceDriver driver = driverOf(deviceId);
        if (driver.ownsFilesDirectory()) {
            // as upload: the pull makes the directories, writes and checks the size as the device's user
            Path local = files.inside(target.filesDirectory(), localPath);
            files.requireAllowedType(localPath);
            driver.pull(target, remotePath, local);
            return transfer(deviceId, localPath, remotePath);
        }
        Path local = files.confine(target.filesDirectory(), localPath);
        files.requireAllowedType(localPath);
        // a refused download leaves nothing behind, not even the directories made for it (the fuzz found them)
        Path firstCreated = firstMissing(local.getParent());
        try {
            Files.createDirectories(local.getParent());
            driver.pull(target, remotePath, local);
            files.requireAllowedSize(local);
        } catch (ApiException e) {
            if (e.status() == 413) {
                deleteQuietly(local);
            }
            removeCreated(local.getParent(), firstCreated);
            throw e;
        } catch (FileSystemException e) {
            // a parent that is a file, a name the file system refuses: the caller's path, not a host fault
            removeCreated(local.getParent(), firstCreated);
            throw new ApiException(400, ErrorCode.INVALID_PARAMETERS, "cannot write local_path '" + localPath + "': "
                    + e.getClass().getSimpleName(), Map.of("local_path", localPath));
        } catch (IOException e) {
            removeCreated(local.getParent(), firstCreated);
            throw new ApiException(500, ErrorCode.INTERNAL_ERROR, "cannot prepare " + localPath, Map.of());
        }
        return transfer(deviceId, localPath, remotePath);
    }

    private DeviceTarget target(String deviceId) {
        store.get(deviceId);
        return new DeviceTarget(deviceId, store.filesDirectory(deviceId));
    }

    private DeviceDriver driverOf(String deviceId) {
        return drivers.forType(store.get(deviceId).type());
    }

    private static Map<String, Object> transfer(String deviceId, String localPath, String remotePath) {
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("success", true);
        response.put("local_path", localPath);
        response.put("remote_path", remotePath);
        response.put("device_id", deviceId);
        return response;
    }

    /** The outermost directory of {@code dir}'s chain that does not exist yet, or null when {@code dir} exists. */
    private static Path firstMissing(Path dir) {
        Path missing = null;
        for (Path p = dir; p != null && !Files.exists(p); p = p.getParent()) {
            missing = p;
        }
        return missing;
    }

    /** Removes the (empty) directories from {@code dir} up to {@code firstCreated}, which this call made. */
    private static void removeCreated(Path dir, Path firstCreated) {
        if (firstCreated == null) {
            return;
        }
        for (Path p = dir; p != null && p.startsWith(firstCreated); p = p.getParent()) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                return; // not empty (something else wrote there meanwhile) or gone: leave it
            }
        }
    }

    /** One JSON line per command in the device's {@code logs/commands.log}. */
    private void logCommand(String deviceId, String command, int exitCode) {
        try {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("timestamp", Instant.now().toString());
            entry.put("command", command);
            entry.put("exit_code", exitCode);
            String line = json.writeValueAsString(entry) + "\n";
            Files.writeString(store.logsDirectory(deviceId).resolve("commands.log"), line, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            LOG.warnf("cannot log command of %s: %s", deviceId, e.getMessage());
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warnf("cannot remove oversized download %s: %s", file, e.getMessage());
        }
    }
}
