package io.envgrid.vmcontroller.vm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.vmcontroller.error.ErrorCode;
import java.util.Set;

/**
 * Decides what an error answer of the desktop means for the caller. A 4xx that describes the request
 * is the caller's mistake and is passed on as a 4xx ({@link VmCallException.Refused}); everything else
 * (5xx, and the 4xx that mean the controller and the desktop do not agree: 401/403 on the forwarded
 * credential, 405/415, a 404 for a route the desktop lacks) stays a fault of the desktop, 502
 * {@code VM_ERROR} ({@link VmCallException.ErrorResponse}).
 *
 * <table>
 * <caption>desktop answer → caller's answer</caption>
 * <tr><td>400, 422</td><td>400 {@code INVALID_PARAMETERS} ({@code INVALID_ACTION} for actions)</td></tr>
 * <tr><td>404 from {@code /file} or {@code /list_directory} with a JSON body (OSWorld's "not found")</td>
 * <td>404 {@code NOT_FOUND}</td></tr>
 * <tr><td>408 (the caller's script ran past its own limit)</td><td>408 {@code COMMAND_TIMEOUT}</td></tr>
 * <tr><td>409 {@code LEASE_NOT_LIVE} / {@code STALE_FENCING_TOKEN} (the lease ended after the controller's
 * check)</td><td>409 with that code</td></tr>
 * <tr><td>413</td><td>413 {@code BODY_TOO_LARGE}</td></tr>
 * <tr><td>429</td><td>429 {@code RATE_LIMITED}</td></tr>
 * <tr><td>503 {@code ALLOCATOR_UNAVAILABLE} / {@code DESKTOP_UNAVAILABLE} (the device agent could not check the lease
 * now, or the desktop is being reset or has no display)</td><td>503 with that code: the desktop is there and says "not
 * now", which the caller may retry; any other 5xx stays {@code VM_ERROR}</td></tr>
 * </table>
 */
final class DesktopRefusals {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The endpoints where OSWorld's server answers 404 for a path that is not there. */
    private static final Set<String> PATH_ENDPOINTS = Set.of("/file", "/list_directory", "/setup/open_file");
    private static final Set<String> LEASE_CODES = Set.of(ErrorCode.LEASE_NOT_LIVE, ErrorCode.STALE_FENCING_TOKEN);
    /**
     * The device agent's "not now" answers (its {@code ErrorCode}): its lease check could not reach the allocator (during
     * an allocator restart or a Redis failover), or the desktop is being reset or has lost its display.
     */
    private static final Set<String> UNAVAILABLE_CODES = Set.of(ErrorCode.ALLOCATOR_UNAVAILABLE,
            ErrorCode.DESKTOP_UNAVAILABLE);

    private DesktopRefusals() {
    }

    /** The exception for an answer with status {@code status} ≥ 300 and {@code body} (already cut to size). */
    static VmCallException of(VmAddress vm, String endpoint, int status, String body) {
        JsonNode json = json(body);
        String vmCode = json.path("error").path("code").isTextual() ? json.path("error").path("code").asText() : null;
        VmAnswer answer = new VmAnswer(status, body);
        String reason = reason(json, answer);
        return switch (status) {
            case 400, 422 -> new VmCallException.Refused(vm, endpoint, answer, 400, ErrorCode.INVALID_PARAMETERS, vmCode,
                    reason);
            case 404 -> PATH_ENDPOINTS.contains(endpoint) && json.isObject()
                    ? new VmCallException.Refused(vm, endpoint, answer, 404, ErrorCode.NOT_FOUND, vmCode, reason)
                    : new VmCallException.ErrorResponse(vm, endpoint, status, body);
            case 408 -> new VmCallException.Refused(vm, endpoint, answer, 408, ErrorCode.COMMAND_TIMEOUT, vmCode, reason);
            case 409 -> vmCode != null && LEASE_CODES.contains(vmCode)
                    ? new VmCallException.Refused(vm, endpoint, answer, 409, vmCode, vmCode, reason)
                    : new VmCallException.ErrorResponse(vm, endpoint, status, body);
            case 413 -> new VmCallException.Refused(vm, endpoint, answer, 413, ErrorCode.BODY_TOO_LARGE, vmCode, reason);
            case 429 -> new VmCallException.Refused(vm, endpoint, answer, 429, ErrorCode.RATE_LIMITED, vmCode, reason);
            case 503 -> vmCode != null && UNAVAILABLE_CODES.contains(vmCode)
                    ? new VmCallException.Refused(vm, endpoint, answer, 503, vmCode, vmCode, reason)
                    : new VmCallException.ErrorResponse(vm, endpoint, status, body);
            default -> new VmCallException.ErrorResponse(vm, endpoint, status, body);
        };
    }

    private static JsonNode json(String body) {
        try {
            JsonNode node = JSON.readTree(body);
            return node == null ? JSON.missingNode() : node;
        } catch (Exception e) {
            return JSON.missingNode(); // OSWorld answers some refusals as plain text ("Path not supplied!")
        }
    }

    /** The desktop's own words: the envelope's message, OSWorld's error or message field, or the text. */
    private static String reason(JsonNode json, VmAnswer answer) {
        for (JsonNode candidate : new JsonNode[] {json.path("error").path("message"), json.path("error"),
                json.path("message"), json.path("output")}) {
            if (candidate.isTextual() && !candidate.asText().isBlank()) {
                return candidate.asText();
            }
        }
        String excerpt = answer.excerpt();
        if (json.isMissingNode() && !excerpt.isEmpty()) {
            return excerpt;
        }
        return "HTTP " + answer.status();
    }
}
