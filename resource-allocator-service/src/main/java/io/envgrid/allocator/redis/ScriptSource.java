package io.envgrid.allocator.redis;

import io.envgrid.allocator.config.Fencing;
import io.envgrid.redisscripts.LuaScript;

/**
 * The text Redis runs for one script (lib.lua prepended, the events stream length and the fencing
 * mode filled in) and its SHA-1, computed here so that running a script by SHA needs no round trip first
 * (both by redis-scripts' {@link LuaScript}, which {@link ScriptRunner} runs them with).
 */
public record ScriptSource(String source, String sha) {

    /** The script with sequence fencing (the default). */
    public static ScriptSource of(AllocatorScript script, long eventsMaxLength) {
        return of(script, eventsMaxLength, Fencing.SEQUENCE);
    }

    public static ScriptSource of(AllocatorScript script, long eventsMaxLength, Fencing fencing) {
        String prelude = LuaScript.resource(ScriptSource.class, "lua/lib.lua")
                .replace("__EVENTS_MAXLEN__", Long.toString(eventsMaxLength))
                .replace("__FENCING__", fencing.name().toLowerCase(java.util.Locale.ROOT));
        LuaScript composed = LuaScript.of(prelude + "\n" + LuaScript.resource(ScriptSource.class, script.resourcePath()));
        return new ScriptSource(composed.text(), composed.sha());
    }
}
