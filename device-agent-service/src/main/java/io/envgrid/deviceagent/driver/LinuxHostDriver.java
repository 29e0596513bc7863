package io.envgrid.deviceagent.driver;

import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.exec.WorkerExec;
import io.envgrid.deviceagent.error.ApiException;
import io.envgrid.deviceagent.fleet.HostDevice;
import io.envgrid.deviceagent.error.ErrorCode;
import io.envgrid.deviceagent.files.FileRules;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * The host the agent runs on, as a {@code linux} device. Commands run in {@code /bin/sh} with the device's
 * {@code files/} directory as working directory, as the host device's own uid ({@link HostDevice}: reset between
 * leases), and its file system, for push and pull, is that directory.
 */
@ApplicationScoped
public class LinuxHostDriver implements DeviceDriver {

    private final DeviceAgentConfig config;
    private final CommandRunner runner;
    private final FileRules files;
    private final String hostDeviceId;
    private final WorkerExec workers;

    public LinuxHostDriver(DeviceAgentConfig config, CommandRunner runner, FileRules files, HostDevice host) {
        this.workers = host.workers();
        this.config = config;
        this.runner = runner;
        this.files = files;
        this.hostDeviceId = host.deviceId();
    }

    @Override
    public String type() {
        return "linux";
    }

    @Override
    public List<DiscoveredDevice> discover() {
        if (!config.linuxHost().enabled()) {
            return List.of();
        }
        return List.of(new DiscoveredDevice(hostDeviceId, type(), "Host " + hostDeviceId, Map.of(
                "os_name", System.getProperty("os.name"),
                "os_version", System.getProperty("os.version"),
                "cpu_type", System.getProperty("os.arch"),
                "cpus", Runtime.getRuntime().availableProcessors())));
    }

    @Override
    public void connect(DeviceTarget device) {
        requireHost(device);
    }

    @Override
    public void disconnect(DeviceTarget device) {
        requireHost(device);
    }

    @Override
    public CommandResult execute(DeviceTarget device, String command) {
        requireHost(device);
        workers.handOver(device.filesDirectory()); // the command's working directory is its to write
        return runner.run(workers.command(List.of("/bin/sh", "-c", command)), device.filesDirectory(),
                workers.environment(Map.of()));
    }

    @Override
    public void push(DeviceTarget device, Path hostFile, String devicePath) {
        copy(hostFile, files.confine(device.filesDirectory(), devicePath));
    }

    @Override
    public void pull(DeviceTarget device, String devicePath, Path hostFile) {
        Path source = files.confine(device.filesDirectory(), devicePath);
        if (!Files.isRegularFile(source)) {
            throw new ApiException(404, ErrorCode.COMMAND_EXECUTION_FAILED, "no file '" + devicePath + "' on the device",
                    Map.of("remote_path", devicePath));
        }
        copy(source, hostFile);
    }

    @Override
    public void install(DeviceTarget device, Path packageFile) {
        throw ApiException.badRequest("the linux host has no package installer; upload the file instead");
    }

    private void requireHost(DeviceTarget device) {
        if (!config.linuxHost().enabled() || !hostDeviceId.equals(device.deviceId())) {
            // a record of another linux machine kept here: this agent can never reach it (409, not a host fault)
            throw new ApiException(409, ErrorCode.DEVICE_CONNECTION_FAILED,
                    "linux device '" + device.deviceId() + "' is not this host ('" + hostDeviceId + "')",
                    Map.of("device_id", device.deviceId(), "reason", "not_this_host"));
        }
    }

    private static void copy(Path from, Path to) {
        try {
            Files.createDirectories(to.getParent());
            Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
