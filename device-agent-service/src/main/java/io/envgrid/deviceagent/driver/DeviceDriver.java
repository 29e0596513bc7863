package io.envgrid.deviceagent.driver;

import java.nio.file.Path;
import java.util.List;

/**
 * Reaches the devices of one type. Failures are thrown as {@link io.envgrid.deviceagent.error.ApiException}
 * with the device tools' error codes ({@code DEVICE_CONNECTION_FAILED}, {@code COMMAND_EXECUTION_FAILED}).
 */
public interface DeviceDriver {

    /** The device type this driver serves ({@code android}, {@code linux}, ...). */
    String type();

    /** The devices attached now; empty when the driver's tooling is missing. */
    List<DiscoveredDevice> discover();

    void connect(DeviceTarget device);

    void disconnect(DeviceTarget device);

    CommandResult execute(DeviceTarget device, String command);

    /**
     * Whether the device's {@code files/} directory is the device's own file system, written by the user its commands
     * run as (the host device). Then {@link #push} and {@link #pull} take both names inside it, lexically confined, and
     * make every test and the copy as that user; the caller must not look into that tree itself: a name it followed
     * could be swapped for a link in between.
     */
    default boolean ownsFilesDirectory() {
        return false;
    }

    /** Copies a host file onto the device. */
    void push(DeviceTarget device, Path hostFile, String devicePath);

    /** Copies a device file to the host. */
    void pull(DeviceTarget device, String devicePath, Path hostFile);

    /** Installs an application package on the device. */
    void install(DeviceTarget device, Path packageFile);
}
