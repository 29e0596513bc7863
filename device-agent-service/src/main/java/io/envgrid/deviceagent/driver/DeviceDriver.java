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

    /** Copies a host file onto the device. */
    void push(DeviceTarget device, Path hostFile, String devicePath);

    /** Copies a device file to the host. */
    void pull(DeviceTarget device, String devicePath, Path hostFile);

    /** Installs an application package on the device. */
    void install(DeviceTarget device, Path packageFile);
}
