package io.envgrid.deviceagent.osworld;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * OSWorld's set-up routes that open files, handle windows and change the wallpaper (desktop_env/server/main.py
 * {@code /setup/open_file}, {@code /setup/activate_window}, {@code /setup/close_window},
 * {@code /setup/change_wallpaper}), with OSWorld's request fields and text answers, for
 * the vm-controller's task set-up, on the request's desktop ({@link DesktopRouting}). Locked like
 * {@link DesktopResource}; errors in its shape.
 */
@Path("/")
@Tag(name = "desktop (OSWorld protocol)")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.TEXT_PLAIN) // OSWorld's server answers these routes with a line of text
public class SetupResource {

    private final DesktopRouting routing;

    public SetupResource(DesktopRouting routing) {
        this.routing = routing;
    }

    /** {@code {"path"}}: opens the file with the desktop's opener and waits for its window. */
    @POST
    @Path("setup/open_file")
    @APIResponse(responseCode = "404", description = "FILE_NOT_FOUND: the worker's user sees no such file")
    @APIResponse(responseCode = "408", description = "COMMAND_EXECUTION_FAILED: no window of the file showed within the wait")
    public String openFile(JsonNode body) {
        return routing.act(desktop -> desktop.windows().open(text(body, "path")));
    }

    /** {@code {"window_name", "strict"?, "by_class"?}}: raises and focuses the window. */
    @POST
    @Path("setup/activate_window")
    public String activateWindow(JsonNode body) {
        return routing.act(desktop -> desktop.windows().activateWindow(text(body, "window_name"), flag(body, "strict"),
                flag(body, "by_class")));
    }

    /** {@code {"window_name", "strict"?, "by_class"?}}: closes the matching windows. */
    @POST
    @Path("setup/close_window")
    public String closeWindow(JsonNode body) {
        return routing.act(desktop -> desktop.windows().closeWindow(text(body, "window_name"), flag(body, "strict"),
                flag(body, "by_class")));
    }

    /** {@code {"path"}}: shows the image as the desktop's background. */
    @POST
    @Path("setup/change_wallpaper")
    @APIResponse(responseCode = "404", description = "FILE_NOT_FOUND: the worker's user sees no such file")
    public String changeWallpaper(JsonNode body) {
        return routing.act(desktop -> desktop.windows().changeWallpaper(text(body, "path")));
    }

    /**
     * OSWorld's {@code {"status": "error", "message"}} with envgrid's envelope, as {@link DesktopResource} answers (its
     * code too: a call cut off by a reset is {@code LEASE_NOT_LIVE}).
     */
    @ServerExceptionMapper
    public Response failed(DesktopException e) {
        return DesktopResource.refusal(e);
    }

    @ServerExceptionMapper
    public Response answered(DesktopAnswer e) {
        return Response.status(e.status()).type(MediaType.APPLICATION_JSON)
                .entity(DesktopResource.withEnvelope(e.status(), e.body())).build();
    }

    private static String text(JsonNode body, String field) {
        if (body == null || !body.isObject()) {
            throw new DesktopException(400, "the body must be a JSON object");
        }
        JsonNode value = body.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new DesktopException(400, "'" + field + "' must be a non-empty string");
        }
        if (value.asText().indexOf('\0') >= 0) {
            throw new DesktopException(400, "'" + field + "' must not contain a NUL character");
        }
        return value.asText();
    }

    private static boolean flag(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value != null && !value.isNull() && !value.isBoolean()) {
            throw new DesktopException(400, "'" + field + "' must be true or false");
        }
        return value != null && value.asBoolean();
    }
}
