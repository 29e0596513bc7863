package io.envgrid.vmcontroller.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.envgrid.vmcontroller.vm.VmCallException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns every failure into the error envelope with a matching status; nothing leaks a stack trace. */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response api(ApiException e) {
        if (e.status() >= 500) {
            LOG.warnf("%s: %s", e.code(), e.getMessage());
        }
        return envelope(e.status(), e.code(), e.getMessage(), e.details());
    }

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
            return envelope(r.status(), r.code(), e.getMessage(), details);
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
        return envelope(status, code, e.getMessage(), details);
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        String where = e instanceof MismatchedInputException m && !m.getPath().isEmpty()
                ? " at '" + m.getPath().stream()
                        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                        .collect(Collectors.joining(".")) + "'"
                : "";
        return envelope(400, ErrorCode.MALFORMED_JSON, "request body is not valid JSON for this endpoint" + where,
                Map.of("reason", String.valueOf(e.getOriginalMessage())));
    }

    /** More specific than {@link #json}, so it wins over Quarkus' own mapper for wrongly typed fields. */
    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status == 400 && e.getCause() instanceof JsonProcessingException json) {
            return json(json);
        }
        return envelope(status, status == 400 ? ErrorCode.MALFORMED_JSON : ErrorCode.HTTP_ERROR,
                e.getMessage(), Map.of());
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("unexpected failure", e);
        return envelope(500, ErrorCode.INTERNAL_ERROR, "internal error", Map.of());
    }

    public static Response envelope(int status, String code, String message, Map<String, Object> details) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(ErrorEnvelope.of(code, message, details))
                .build();
    }
}
