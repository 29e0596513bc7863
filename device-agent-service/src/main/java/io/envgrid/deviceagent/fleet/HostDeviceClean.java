package io.envgrid.deviceagent.fleet;

/**
 * Fired (a CDI event) when a retry has reset the host device clean after a failed reset: whoever held it back from the
 * allocator because it was not clean (a {@code device.return} whose reset failed, {@code lending/Lending}) may offer it
 * again.
 *
 * @param deviceId the host device's id
 */
public record HostDeviceClean(String deviceId) {
}
