package io.envgrid.vmcontroller.error;

import io.envgrid.errors.ErrorMappers;
import io.envgrid.vmcontroller.vm.VmCallException;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The vm-controller's one failure beyond the shared {@link ErrorMappers}: a call to a desktop that failed. */
public class VmCallMapper {

    private static final Logger LOG = Logger.getLogger(VmCallMapper.class);

    /**
     * A VM that did not answer usably is a fault of the upstream, not of this service: 504 when it
     * ran out of time, 502 otherwise, with the VM and endpoint in the details. A desktop that refused
     * the request for what it says is the caller's mistake: its 4xx is passed on
     * ({@link VmCallException.Refused}, with the desktop's status, code and body in the details).
     */
    @ServerExceptionMapper
    public Response vm(VmCallException e) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("vm", e.vm().key());
        details.put("endpoint", e.endpoint());
        String code;
        int status = 502;
        if (e instanceof VmCallException.Refused r) {
            details.put("vm_status", r.answer().status());
            if (r.vmCode() != null) {
                details.put("vm_code", r.vmCode());
            }
            details.put("vm_body", r.answer().body());
            return ErrorMappers.envelope(r.status(), r.code(), e.getMessage(), details);
        }
        if (e instanceof VmCallException.TimedOut || e instanceof VmCallException.DeadlinePassed) {
            code = ErrorCode.VM_TIMEOUT;
            status = 504;
        } else if (e instanceof VmCallException.CircuitOpen) {
            code = ErrorCode.VM_CIRCUIT_OPEN;
        } else if (e instanceof VmCallException.ErrorResponse r) {
            code = ErrorCode.VM_ERROR;
            details.put("vm_status", r.answer().status());
            details.put("vm_body", r.answer().body());
            // the caller sees the body too, but an operator reading why a desktop failed has only the log
            LOG.warnf("VM_ERROR: the desktop %s answered %s with %d: %s", e.vm().key(), e.endpoint(),
                    r.answer().status(), r.answer().excerpt());
        } else {
            code = ErrorCode.VM_UNREACHABLE;
        }
        return ErrorMappers.envelope(status, code, e.getMessage(), details);
    }
}
