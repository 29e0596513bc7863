package io.envgrid.deviceagent.computer.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Bundle ids (A2C-SMCP: the unique id of a hosted server and the prefix of its exposed tool names). A given id must
 * be {@code [A-Za-z0-9_-]+} without {@code __} (the separator of exposed names); an absent one is derived from the
 * name as the reference does: other characters become {@code _}, runs of {@code _} fold, {@code _}/{@code -} are
 * trimmed at both ends; an empty result becomes {@code bundle_} and 16 hex digits of the SHA-256 of the connection.
 */
public final class BundleIds {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_-]+");

    private BundleIds() {
    }

    /** Whether {@code id} may be used as given. */
    public static boolean valid(String id) {
        return id != null && VALID.matcher(id).matches() && !id.contains("__");
    }

    /** The bundle id of {@code server}: its own, or the one derived from its name or connection. */
    public static String of(McpServerConfig server) {
        if (server.bundleId() != null) {
            return server.bundleId();
        }
        String derived = server.name() == null ? "" : server.name()
                .replaceAll("[^A-Za-z0-9_-]", "_")
                .replaceAll("_+", "_")
                .replaceAll("^[_-]+|[_-]+$", "");
        return derived.isEmpty() ? "bundle_" + sha256Hex(server.connectionIdentity()).substring(0, 16) : derived;
    }

    private static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
