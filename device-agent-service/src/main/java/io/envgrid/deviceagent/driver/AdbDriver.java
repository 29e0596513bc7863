package io.envgrid.deviceagent.driver;

import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.error.ApiException;
import io.envgrid.deviceagent.error.ErrorCode;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Android devices through the {@code adb} binary: discovery, shell, push, pull and install. Every command talks to the
 * agent's own adb server on its private socket ({@link AdbServer}), never to one any local process could reach.
 */
@ApplicationScoped
public class AdbDriver implements DeviceDriver {

    private static final Logger LOG = Logger.getLogger(AdbDriver.class);

    private final DeviceAgentConfig config;
    private final CommandRunner runner;
    private final AdbServer server;

    public AdbDriver(DeviceAgentConfig config, CommandRunner runner, AdbServer server) {
        this.config = config;
        this.runner = runner;
        this.server = server;
    }

    @Override
    public String type() {
        return "android";
    }

    /** Parses {@code adb devices -l}; only devices in state {@code device} are usable (not offline/unauthorized). */
    @Override
    public List<DiscoveredDevice> discover() {
        if (!config.adb().enabled()) {
            return List.of();
        }
        CommandResult listing;
        try {
            listing = run("devices", "-l");
        } catch (ApiException noAdb) {
            LOG.debugf("adb not usable, no Android devices: %s", noAdb.getMessage());
            return List.of();
        }
        List<DiscoveredDevice> found = new ArrayList<>();
        for (String line : listing.output().split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length < 2 || !fields[1].equals("device") || line.startsWith("List of devices")) {
                continue;
            }
            Map<String, Object> info = new LinkedHashMap<>();
            for (int i = 2; i < fields.length; i++) {
                int colon = fields[i].indexOf(':');
                if (colon > 0) {
                    info.put(fields[i].substring(0, colon), fields[i].substring(colon + 1));
                }
            }
            String model = String.valueOf(info.getOrDefault("model", fields[0])).replace('_', ' ');
            found.add(new DiscoveredDevice(fields[0], type(), model, info));
        }
        return found;
    }

    /** Network devices ({@code host:port}) are connected with {@code adb connect}; USB ones must be online. */
    @Override
    public void connect(DeviceTarget device) {
        if (device.deviceId().contains(":")) {
            adb(device, ErrorCode.DEVICE_CONNECTION_FAILED, "connect", device.deviceId());
        }
        CommandResult state = adb(device, ErrorCode.DEVICE_CONNECTION_FAILED, "-s", device.deviceId(), "get-state");
        if (!state.output().trim().equals("device")) {
            throw connectionFailed(device, "device state is '" + state.output().trim() + "'");
        }
    }

    @Override
    public void disconnect(DeviceTarget device) {
        if (device.deviceId().contains(":")) {
            adb(device, ErrorCode.DEVICE_CONNECTION_FAILED, "disconnect", device.deviceId());
        }
    }

    /** A failing shell command is a result, not an error: its exit code and stderr go back to the caller. */
    @Override
    public CommandResult execute(DeviceTarget device, String command) {
        return run("-s", device.deviceId(), "shell", command);
    }

    @Override
    public void push(DeviceTarget device, Path hostFile, String devicePath) {
        adb(device, ErrorCode.COMMAND_EXECUTION_FAILED, "-s", device.deviceId(), "push", hostFile.toString(), devicePath);
    }

    @Override
    public void pull(DeviceTarget device, String devicePath, Path hostFile) {
        try {
            adb(device, ErrorCode.COMMAND_EXECUTION_FAILED, "-s", device.deviceId(), "pull", devicePath,
                    hostFile.toString());
        } catch (ApiException e) {
            // a file the device does not have is the caller's (404, as on the linux host), not a failure of adb
            if (e.getMessage().contains("failed to stat remote object") || e.getMessage().contains("does not exist")) {
                throw new ApiException(404, ErrorCode.COMMAND_EXECUTION_FAILED, "no file '" + devicePath
                        + "' on the device", Map.of("device_id", device.deviceId(), "remote_path", devicePath));
            }
            throw e;
        }
    }

    @Override
    public void install(DeviceTarget device, Path packageFile) {
        CommandResult result = adb(device, ErrorCode.COMMAND_EXECUTION_FAILED,
                "-s", device.deviceId(), "install", "-r", packageFile.toString());
        // Older adb versions print "Failure [...]" yet exit 0.
        if (result.output().contains("Failure")) {
            throw new ApiException(500, ErrorCode.COMMAND_EXECUTION_FAILED, "install failed: " + result.output().trim(),
                    Map.of("device_id", device.deviceId()));
        }
    }

    private CommandResult adb(DeviceTarget device, String failureCode, String... arguments) {
        CommandResult result = run(arguments);
        if (!result.succeeded()) {
            String reason = (result.error() + result.output()).trim();
            throw failureCode.equals(ErrorCode.DEVICE_CONNECTION_FAILED)
                    ? connectionFailed(device, reason)
                    : new ApiException(500, failureCode, "adb " + String.join(" ", arguments) + " failed: " + reason,
                            Map.of("device_id", device.deviceId()));
        }
        return result;
    }

    private CommandResult run(String... arguments) {
        return runner.run(server.command(arguments), null, server.environment());
    }

    /** The device is not reachable now (unplugged, offline): a dependency that is down, 503 (retry later). */
    private static ApiException connectionFailed(DeviceTarget device, String reason) {
        return new ApiException(503, ErrorCode.DEVICE_CONNECTION_FAILED,
                "cannot reach Android device '" + device.deviceId() + "': " + reason,
                Map.of("device_id", device.deviceId()));
    }
}
