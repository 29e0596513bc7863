package io.envgrid.gateway.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.error.ToolFailure;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Tokens name a principal and the worker ids it may act as; nothing else is accepted. */
class TokenTest {

    static final byte[] SECRET = "s3cret".getBytes(StandardCharsets.UTF_8);

    /** A verifier over these settings; {@code open} mode exactly when neither tokens nor a secret are given. */
    static TokenVerifier verifier(List<String> fixed, String secret) {
        return verifier(fixed, secret, fixed.isEmpty() && secret == null ? GatewayConfig.Auth.Mode.OPEN
                : GatewayConfig.Auth.Mode.TOKENS);
    }

    /** A verifier over these settings (the config mapping's auth values, nothing else is read). */
    static TokenVerifier verifier(List<String> fixed, String secret, GatewayConfig.Auth.Mode mode) {
        GatewayConfig.Auth auth = new GatewayConfig.Auth() {
            @Override
            public Mode mode() {
                return mode;
            }

            @Override
            public Optional<List<String>> tokens() {
                return Optional.of(fixed);
            }

            @Override
            public Optional<String> signingSecret() {
                return Optional.ofNullable(secret);
            }

            @Override
            public java.time.Duration revocationRefresh() {
                return java.time.Duration.ofSeconds(10);
            }
        };
        GatewayConfig config = (GatewayConfig) Proxy.newProxyInstance(GatewayConfig.class.getClassLoader(),
                new Class<?>[] {GatewayConfig.class}, (p, m, a) -> {
                    if (m.getName().equals("auth")) {
                        return auth;
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
        return new TokenVerifier(config);
    }

    private static Principal principal(TokenVerifier verifier, String token) {
        return assertInstanceOf(Authentication.Accepted.class, verifier.authenticate("Bearer " + token)).principal();
    }

    @Test
    void withoutTokensTheGatewayStartsOnlyWhenToldItIsOpen() {
        IllegalStateException none = assertThrows(IllegalStateException.class,
                () -> verifier(List.of(), null, GatewayConfig.Auth.Mode.TOKENS));
        assertTrue(none.getMessage().contains("envgrid.gateway.auth=open"), none.getMessage());
        assertThrows(IllegalStateException.class, () -> verifier(List.of(), " ", GatewayConfig.Auth.Mode.TOKENS));
        assertThrows(IllegalStateException.class, () -> verifier(List.of("t=alice"), null, GatewayConfig.Auth.Mode.OPEN));
        assertThrows(IllegalStateException.class,
                () -> verifier(List.of(), new String(SECRET, StandardCharsets.UTF_8), GatewayConfig.Auth.Mode.OPEN));
        TokenVerifier open = verifier(List.of(), null, GatewayConfig.Auth.Mode.OPEN);
        assertFalse(open.enabled());
        assertInstanceOf(Principal.Open.class, principal(open, "anything"));
        assertTrue(verifier(List.of("t=alice"), null, GatewayConfig.Auth.Mode.TOKENS).enabled());
    }

    @Test
    void patternsCoverExactIdsPrefixesAndEverything() {
        assertTrue(WorkerPattern.parse("job42/").covers("job42/w0001"));
        assertFalse(WorkerPattern.parse("job42/").covers("job420/w1"));
        assertTrue(WorkerPattern.parse("job42-*").covers("job42-7"));
        assertTrue(WorkerPattern.parse("*").covers("anyone"));
        assertTrue(WorkerPattern.parse("w1").covers("w1"));
        assertFalse(WorkerPattern.parse("w1").covers("w10"));
        assertThrows(IllegalArgumentException.class, () -> WorkerPattern.parse("bad id"));
        assertThrows(IllegalArgumentException.class, () -> WorkerPattern.parse(""));
    }

    @Test
    void signedV2TokensCarryTheirPrefixes() {
        TokenVerifier verifier = verifier(List.of(), "s3cret");
        String token = TokenVerifier.mint("job42", List.of("job42/"), Instant.now().plusSeconds(60), SECRET);
        Principal p = principal(verifier, token);
        assertEquals("job42", p.name());
        assertEquals("job42/w0001", p.authorize("worker_id", "job42/w0001"));
        ToolFailure refused = assertThrows(ToolFailure.class, () -> p.authorize("worker_id", "job43/w0001"));
        assertEquals(403, refused.status());
        assertEquals("WORKER_NOT_ENTITLED", refused.code());
        assertEquals("INVALID_ID", assertThrows(ToolFailure.class, () -> p.authorize("worker_id", "job42/ x")).code());
        // tampering with the claims breaks the signature
        String[] parts = token.split("\\.");
        String other = TokenVerifier.mint("job43", List.of("*"), Instant.now().plusSeconds(60), SECRET).split("\\.")[1];
        assertInstanceOf(Authentication.Refused.class, verifier.authenticate("Bearer egw2." + other + "." + parts[2]));
        String expired = TokenVerifier.mint("job42", List.of("job42/"), Instant.now().minusSeconds(1), SECRET);
        assertEquals("the bearer token has expired", assertInstanceOf(Authentication.Refused.class,
                verifier.authenticate("Bearer " + expired)).failure().getMessage());
        assertInstanceOf(Authentication.Refused.class, verifier.authenticate("Bearer egw2.!!!.x"));
        assertInstanceOf(Authentication.Refused.class, verifier.authenticate("Bearer egw2."));
    }

    @Test
    void signedV2TokensCarryAJtiToBeRevokedBy() {
        TokenVerifier verifier = verifier(List.of(), "s3cret");
        String token = TokenVerifier.mint("job42", List.of("job42/"), Instant.now().plusSeconds(60), SECRET);
        String again = TokenVerifier.mint("job42", List.of("job42/"), Instant.now().plusSeconds(60), SECRET);
        String jti = TokenVerifier.tokenIdOf(token);
        assertTrue(jti != null && RevokedTokens.JTI.matcher(jti).matches(), jti);
        assertEquals(jti, principal(verifier, token).tokenId());
        assertFalse(jti.equals(TokenVerifier.tokenIdOf(again)), "each token its own id");
        // a token minted before jti existed: accepted, not revocable by id
        String payload = "egw2." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"v\":2,\"sub\":\"old\",\"workers\":[\"old\"],\"exp\":" + (Instant.now().getEpochSecond() + 60) + "}")
                        .getBytes(StandardCharsets.UTF_8));
        assertEquals(null, principal(verifier, payload + "." + TokenVerifier.sign(payload, SECRET)).tokenId());
        // a signed jti no revocation could name is refused rather than be irrevocable
        String odd = "egw2." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"v\":2,\"sub\":\"odd\",\"workers\":[\"odd\"],\"jti\":\"a b\",\"exp\":"
                        + (Instant.now().getEpochSecond() + 60) + "}").getBytes(StandardCharsets.UTF_8));
        assertInstanceOf(Authentication.Refused.class, verifier.authenticate("Bearer " + odd + "." + TokenVerifier.sign(odd, SECRET)));
        // operators: a token covering every id, or open mode
        assertTrue(principal(verifier, TokenVerifier.mint("ops", List.of("*"), Instant.now().plusSeconds(60), SECRET)).operator());
        assertFalse(principal(verifier, token).operator());
        assertTrue(Principal.Open.INSTANCE.operator());
    }

    @Test
    void v1TokensMeanExactlyTheirSubject() {
        TokenVerifier verifier = verifier(List.of(), "s3cret");
        Principal p = principal(verifier, TokenVerifier.mint("agent-7", Instant.now().plusSeconds(60), SECRET));
        assertTrue(p.entitledTo("agent-7"));
        assertFalse(p.entitledTo("agent-8"));
        assertFalse(p.entitledTo("agent-7/x"));
    }

    @Test
    void fixedTokensNameTheirPrincipalOrTheGatewayDoesNotStart() {
        TokenVerifier verifier = verifier(List.of("tok-a=alice", "tok-b==bob:job1/;w:9", "tok-c=ops:*"), null);
        Principal alice = principal(verifier, "tok-a");
        assertTrue(alice.entitledTo("alice"));
        assertFalse(alice.entitledTo("bob"));
        Principal bob = principal(verifier, "tok-b=");
        assertEquals("bob", bob.name());
        assertTrue(bob.entitledTo("job1/w1"));
        assertTrue(bob.entitledTo("w:9"));
        assertFalse(bob.entitledTo("bob"));
        assertTrue(principal(verifier, "tok-c").entitledTo("anyone"));
        assertInstanceOf(Authentication.Refused.class, verifier.authenticate("Bearer tok-"));
        assertInstanceOf(Authentication.Refused.class, verifier.authenticate(null));
        assertThrows(IllegalArgumentException.class, () -> verifier(List.of("plain-token"), null));
        assertThrows(IllegalArgumentException.class, () -> verifier(List.of("tok=bad id"), null));
    }

    @Test
    void authOffIsOpenToEveryIdTheRuleAllows() {
        TokenVerifier verifier = verifier(List.of(), null);
        Principal open = assertInstanceOf(Authentication.Accepted.class, verifier.authenticate(null)).principal();
        assertEquals("x/y:z", open.authorize("worker_id", "x/y:z"));
        assertEquals("INVALID_ID", assertThrows(ToolFailure.class, () -> open.authorize("worker_id", "x y")).code());
    }

    @Test
    void mintTokenPrintsATokenTheGatewayAccepts() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = MintTokenCommand.run(new String[] {"--subject", "job42", "--workers", "job42/", "--ttl", "24h"},
                new PrintStream(out), new PrintStream(err), Map.of(MintTokenCommand.SECRET_ENV, "s3cret")::get);
        assertEquals(0, exit, err.toString());
        Principal p = principal(verifier(List.of(), "s3cret"), out.toString().trim());
        assertTrue(err.toString().contains("jti " + p.tokenId()), "the jti to revoke it by is printed: " + err);
        assertTrue(p.entitledTo("job42/w4999"));
        assertFalse(p.entitledTo("job43/w1"));
        assertEquals(2, MintTokenCommand.run(new String[] {"--subject", "job42", "--ttl", "24h"},
                new PrintStream(out), new PrintStream(err), Map.<String, String>of()::get), "no secret");
        assertEquals(2, MintTokenCommand.run(new String[] {"--subject", "job42", "--ttl", "forever"},
                new PrintStream(out), new PrintStream(err), Map.of(MintTokenCommand.SECRET_ENV, "s")::get));
        assertEquals(2, MintTokenCommand.run(new String[] {"--subject", "job42", "--workers", "bad id", "--ttl", "1h"},
                new PrintStream(out), new PrintStream(err), Map.of(MintTokenCommand.SECRET_ENV, "s")::get));
        for (String none : List.of("", ",", " , ")) {
            assertEquals(2, MintTokenCommand.run(new String[] {"--subject", "job42", "--workers", none, "--ttl", "1h"},
                    new PrintStream(out), new PrintStream(err), Map.of(MintTokenCommand.SECRET_ENV, "s")::get),
                    "--workers '" + none + "' entitles the token to nothing");
        }
    }
}
