package io.envgrid.vmcontroller.vm;

/**
 * Where a VM's OSWorld server listens (port 5000 in OSWorld's images), and the lease token every
 * call to it carries as {@code X-Envgrid-Lease-Token} (the desktop checks it; docs/isolation.md).
 * The token may be {@code null} only where no lease is involved.
 */
public record VmAddress(String ip, int port, String leaseToken) {

    /** The key of the VM's circuit breaker and the label of its metrics: the lease is not part of it. */
    public String key() {
        return ip + ":" + port;
    }

    @Override
    public String toString() {
        return "VmAddress[" + key() + "]";
    }
}
