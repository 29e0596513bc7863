package io.envgrid.deviceagent.driver;

import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.exec.WorkerExec;
import io.envgrid.deviceagent.exec.WorkerFiles;
import io.envgrid.deviceagent.error.ApiException;
import io.envgrid.deviceagent.fleet.HostDevice;
import io.envgrid.deviceagent.error.ErrorCode;
import io.envgrid.deviceagent.files.FileRules;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The host the agent runs on, as a {@code linux} device. Commands run in {@code /bin/sh} with the device's
 * {@code files/} directory as working directory, as the host device's own uid ({@link HostDevice}: reset between
 * leases), and its file system, for push and pull, is that directory: both ends of a transfer lie in it, and the copy
 * is made as that uid too ({@link WorkerFiles}), never by the agent.
 */
@ApplicationScoped
public class LinuxHostDriver implements DeviceDriver {

    private final DeviceAgentConfig config;
    private final CommandRunner runner;
    private final FileRules files;
    private final String hostDeviceId;
    private final WorkerExec workers;
    private final WorkerFiles workerFiles;

    public LinuxHostDriver(DeviceAgentConfig config, CommandRunner runner, FileRules files, HostDevice host) {
        this.workers = host.workers();
        this.workerFiles = new WorkerFiles(workers);
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

    /** {@code files/} is the host device's user's: its transfers are made as that user ({@link WorkerFiles#copy}). */
    @Override
    public boolean ownsFilesDirectory() {
        return true;
    }

    /**
     * Copies {@code hostFile} (a name in {@code files/}) to {@code devicePath} in {@code files/} as the device's user:
     * the agent follows no name there (review12 F1: a holder swapping a name for a link made a root copy read and write
     * anywhere). 400 when the source is no file that user can read or the target cannot be written, 413 over the limit.
     */
    @Override
    public void push(DeviceTarget device, Path hostFile, String devicePath) {
        Path target = files.inside(device.filesDirectory(), devicePath);
        copy(device, hostFile, target, () -> new ApiException(400, ErrorCode.INVALID_PARAMETERS, "no file '"
                + relative(device, hostFile) + "' in the device's files directory", Map.of("local_path",
                relative(device, hostFile))), "remote_path", devicePath);
    }

    /** Copies {@code devicePath} to {@code hostFile}, both in {@code files/}, as {@link #push}; 404 when not there. */
    @Override
    public void pull(DeviceTarget device, String devicePath, Path hostFile) {
        Path source = files.inside(device.filesDirectory(), devicePath);
        copy(device, source, hostFile, () -> new ApiException(404, ErrorCode.COMMAND_EXECUTION_FAILED, "no file '"
                + devicePath + "' on the device", Map.of("remote_path", devicePath)), "local_path",
                relative(device, hostFile));
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

    private void copy(DeviceTarget device, Path from, Path to, Supplier<ApiException> unreadable, String targetField,
            String targetName) {
        requireHost(device);
        workers.handOver(device.filesDirectory()); // made by the device store as root: the user's to write
        WorkerFiles.Copy copy = workerFiles.copy(from, to, files.maxBytes());
        if (copy instanceof WorkerFiles.Copy.Unreadable) {
            throw unreadable.get();
        }
        if (copy instanceof WorkerFiles.Copy.TooLarge large) {
            throw files.tooLarge(large.sizeBytes());
        }
        if (copy instanceof WorkerFiles.Copy.Unwritable refused) {
            throw new ApiException(400, ErrorCode.INVALID_PARAMETERS, "cannot write " + targetField + " '" + targetName
                    + "': " + refused.reason(), Map.of(targetField, targetName));
        }
    }

    private static String relative(DeviceTarget device, Path file) {
        return device.filesDirectory().toAbsolutePath().normalize().relativize(file).toString();
    }
}
