package io.envgrid.allocator.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The init container's minting: a token the allocator accepts for exactly that agent, in a file only its owner reads. */
class MintAgentTokenTest {

    private static final String KEY = "k8s-agent-token-key\n";

    @TempDir
    Path dir;

    private int mint(String agentId, Path out) throws Exception {
        Path key = dir.resolve("key");
        Files.writeString(key, KEY);
        return MintAgentToken.run(new String[] {key.toString(), agentId, out.toString()},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    @Test
    void writesTheAgentsTokenReadableByItsOwnerOnly() throws Exception {
        Path out = dir.resolve("agent-token");
        assertEquals(0, mint("node-7.zone-a", out));
        String token = Files.readString(out);
        // the allocator reads the same Secret key, newline included, and names this agent and no other
        assertEquals(Optional.of("node-7.zone-a"), new AgentTokens(KEY).verify(token));
        assertEquals(Optional.empty(), new AgentTokens(KEY.strip()).verify(token));
        assertEquals("r--------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
    }

    @Test
    void aRerunReplacesTheTokenWhole() throws Exception {
        Path out = dir.resolve("agent-token");
        assertEquals(0, mint("node-a", out));
        assertEquals(0, mint("node-b", out));
        assertEquals(Optional.of("node-b"), new AgentTokens(KEY).verify(Files.readString(out)));
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "only the key and the token are left");
        }
    }

    @Test
    void anIdOutsideTheRuleOrAMissingKeyWritesNothing() throws Exception {
        Path out = dir.resolve("agent-token");
        assertEquals(2, mint("node:a", out));
        assertEquals(2, mint("x".repeat(65), out));
        assertEquals(1, MintAgentToken.run(new String[] {dir.resolve("no-key").toString(), "node-a", out.toString()},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
        assertEquals(2, MintAgentToken.run(new String[] {"only-one"}, System.err));
        assertFalse(Files.exists(out));
    }
}
