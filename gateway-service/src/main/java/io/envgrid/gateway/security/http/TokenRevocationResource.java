package io.envgrid.gateway.security.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ErrorEnvelope;
import io.envgrid.gateway.error.RedisOutage;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.sandbox.http.SandboxAccess;
import io.envgrid.gateway.sandbox.http.StrictBodies;
import io.envgrid.gateway.security.MintTokenCommand;
import io.envgrid.gateway.security.Principal;
import io.envgrid.gateway.security.RevokedTokens;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code POST /admin/token-revocations}: an operator revokes one signed token by its {@code jti} before its expiry
 * (gateway README, "Revoking a token"). Admitted by the same filter as the rest of the REST API (Host, Origin, bearer
 * token); only an operator's token (patterns covering every worker id, {@code *}) may revoke. The revocation itself
 * is {@link RevokedTokens}'.
 */
@Path("/admin/token-revocations")
@Tag(name = "Admin")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public class TokenRevocationResource {

    private final RevokedTokens revoked;
    private final StrictBodies bodies;

    public TokenRevocationResource(RevokedTokens revoked, StrictBodies bodies) {
        this.revoked = revoked;
        this.bodies = bodies;
    }

    /** The request: the token's {@code jti} and, to keep the entry no longer than needed, its {@code exp}. */
    @RegisterForReflection
    @Schema(name = "TokenRevocationRequest", example = "{\"jti\": \"3q2-7wAAAAAkXQ6vYtE1Gw\", \"exp\": 1798761600}")
    public record RevocationRequest(
            @Schema(required = true, description = "The token's jti (mint-token prints it): 1-64 of [A-Za-z0-9_-]",
                    pattern = "^[A-Za-z0-9_-]{1,64}$") String jti,
            // a JsonNode, checked below: Jackson would read 1.5 as 1 and fail 1e300 without naming the field
            @Schema(implementation = Long.class, description = "The token's exp (epoch seconds, an integer; mint-token "
                    + "prints it): the revocation is kept until then, so it must not be earlier than the token's own "
                    + "exp (the token would work again after it). Without it, for the longest life a token can have "
                    + "(366 days). Must lie in the future and within those 366 days") JsonNode exp) {
    }

    /** The answer: what is revoked, until when (epoch seconds). */
    @RegisterForReflection
    @Schema(name = "TokenRevocation", example = "{\"jti\": \"3q2-7wAAAAAkXQ6vYtE1Gw\", \"revoked_until\": 1798761600}")
    public record Revocation(String jti, @JsonProperty("revoked_until") long revokedUntil) {
    }

    @POST
    @Operation(summary = "Revoke a signed token by its jti",
            description = "The token is refused from now on by every replica: HTTP requests (MCP, Sandbox API) answer "
                    + "401, an SMCP connect is a connect_error, its live SMCP connections end, the MCP sessions it opened end "
                    + "with their streams, and an MCP session's office binding it made ends. Revoking a jti again keeps the "
                    + "later time. Tokens without a jti (fixed "
                    + "tokens, egw1, egw2 minted before jti existed) cannot be revoked here.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = RevocationRequest.class),
            examples = {@ExampleObject(name = "with exp", value = "{\"jti\": \"3q2-7wAAAAAkXQ6vYtE1Gw\", \"exp\": 1798761600}"),
                    @ExampleObject(name = "without exp", value = "{\"jti\": \"3q2-7wAAAAAkXQ6vYtE1Gw\"}")}))
    @APIResponse(responseCode = "200", description = "Revoked",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Revocation.class)))
    @APIResponse(responseCode = "400", description = "INVALID_PARAMETERS: not one JSON object, an unknown field, a "
            + "missing or malformed jti, an exp in the past or beyond the longest token life (details.field names it)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorEnvelope.class),
                    examples = @ExampleObject(name = "bad jti", value = "{\"error\": {\"code\": \"INVALID_PARAMETERS\", "
                            + "\"message\": \"'jti' must be 1-64 characters of [A-Za-z0-9_-]\", \"details\": {\"field\": \"jti\"}}}")))
    @APIResponse(responseCode = "401", description = "UNAUTHORIZED: no bearer token, or one that is not valid",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorEnvelope.class)))
    @APIResponse(responseCode = "403", description = "OPERATOR_ONLY: the token does not cover every worker id ('*'); "
            + "FORBIDDEN_ORIGIN: a foreign Host or Origin",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorEnvelope.class),
                    examples = @ExampleObject(name = "not an operator", value = "{\"error\": {\"code\": \"OPERATOR_ONLY\", "
                            + "\"message\": \"only an operator's token (workers '*') may revoke tokens\", \"details\": {}}}")))
    @APIResponse(responseCode = "503", description = "REDIS_UNAVAILABLE: the revocation could not be stored",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorEnvelope.class)))
    public Uni<Revocation> revoke(byte[] body, @Context RoutingContext routing) {
        Principal caller = SandboxAccess.principal(routing);
        if (!caller.operator()) {
            throw new ToolFailure(403, ErrorCode.OPERATOR_ONLY, "only an operator's token (workers '*') may revoke tokens",
                    Map.of());
        }
        RevocationRequest request = bodies.read(body, RevocationRequest.class, null);
        if (request.jti() == null || !RevokedTokens.JTI.matcher(request.jti()).matches()) {
            throw field("jti", "'jti' must be 1-64 characters of [A-Za-z0-9_-]");
        }
        Instant now = Instant.now();
        Instant longest = now.plus(MintTokenCommand.MAX_TTL);
        Instant until;
        if (request.exp() == null || request.exp().isNull()) {
            until = longest;
        } else {
            if (!request.exp().isIntegralNumber() || !request.exp().canConvertToLong()) {
                throw field("exp", "'exp' must be an integer: the token's expiry in epoch seconds");
            }
            until = Instant.ofEpochSecond(Math.max(0, Math.min(request.exp().asLong(), longest.getEpochSecond() + 1)));
            if (!until.isAfter(now)) {
                throw field("exp", "'exp' lies in the past: that token is refused for its expiry already");
            }
            if (until.isAfter(longest)) {
                throw field("exp", "'exp' lies beyond the longest life a token can have (366 days)");
            }
        }
        return revoked.revoke(request.jti(), until).map(kept -> new Revocation(request.jti(), kept.getEpochSecond()))
                // a Redis that cannot store it now is the retryable 503, not the mapper's 500
                .onFailure(RedisOutage::isOutage).transform(RedisOutage::failure);
    }

    private static ToolFailure field(String field, String message) {
        return new ToolFailure(400, ErrorCode.INVALID_PARAMETERS, message, Map.of("field", field));
    }
}
