package io.envgrid.gateway.desktop;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.gateway.client.VmControllerApi;
import io.envgrid.gateway.lease.WorkerResources;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A worker's desktops through the vm-controller. The desktop is one the worker was granted (named
 * by resource id, or its only one) from the worker's own record: a worker can only reach its own,
 * every call carries that lease's token, and the controller refuses a call on an ended or
 * superseded lease before it reaches the VM.
 */
@ApplicationScoped
public class Desktops {

    private final WorkerResources resources;
    private final VmControllerApi vmController;

    public Desktops(WorkerResources resources, VmControllerApi vmController) {
        this.resources = resources;
        this.vmController = vmController;
    }

    /** The worker's own allocation entry of the desktop (with its lease token); 404/400 when it holds none or several. */
    private Uni<JsonNode> target(String workerId, String resourceId) {
        return resources.pick(workerId, resourceId, "desktop", VmTypes::isVm);
    }

    public Uni<JsonNode> act(String workerId, String resourceId, String path, Object body) {
        return target(workerId, resourceId).chain(entry -> vmController.act(workerId, entry, path, body));
    }

    public Uni<JsonNode> read(String workerId, String resourceId, String what) {
        return target(workerId, resourceId).chain(entry -> vmController.read(workerId, entry, what));
    }
}
