package io.envgrid.allocator.redis;

import io.envgrid.allocator.config.Fencing;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The text Redis runs for one script (lib.lua prepended, the events stream length and the fencing
 * mode filled in) and its SHA-1, computed here so that running a script by SHA needs no round trip first.
 */
public record ScriptSource(String source, String sha) {

    /** The script with sequence fencing (the default). */
    public static ScriptSource of(AllocatorScript script, long eventsMaxLength) {
        return of(script, eventsMaxLength, Fencing.SEQUENCE);
    }

    public static ScriptSource of(AllocatorScript script, long eventsMaxLength, Fencing fencing) {
        String prelude = read("lua/lib.lua").replace("__EVENTS_MAXLEN__", Long.toString(eventsMaxLength))
                .replace("__FENCING__", fencing.name().toLowerCase(java.util.Locale.ROOT));
        String source = prelude + "\n" + read(script.resourcePath());
        return new ScriptSource(source, sha1(source));
    }

    private static String read(String resource) {
        try (InputStream in = ScriptSource.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing script resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(String source) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
