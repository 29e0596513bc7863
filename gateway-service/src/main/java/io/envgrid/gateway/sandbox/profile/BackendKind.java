package io.envgrid.gateway.sandbox.profile;

import static io.envgrid.gateway.sandbox.profile.ConfigRule.optional;
import static io.envgrid.gateway.sandbox.profile.ConfigRule.required;

import io.envgrid.gateway.sandbox.profile.ConfigRule.Type;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The backends a profile can name in {@code backend}. The seeds load a Python class by path; a
 * native image loads no class by name, so a profile picks one of these built-in kinds instead.
 */
public enum BackendKind {

    /** Desktops through the allocator and the vm-controller: one leased desktop per session. */
    DESKTOP("desktop", false, "vm_", List.of(required("allocator_type", Type.STRING), optional("lease_timeout", Type.INTEGER),
            optional("wait_ms", Type.INTEGER), optional("init_commands", Type.ARRAY), optional("task_config", Type.ARRAY))),
    /**
     * The rag-service: shared by every worker (stateless) unless a session names a {@code collection} the allocator
     * offers for lease, which the session then leases as a desktop session leases its desktop.
     */
    RAG("rag", true, null, List.of(optional("default_top_k", Type.INTEGER), optional("mode", Type.STRING),
            optional("collection", Type.STRING), optional("lease_timeout", Type.INTEGER), optional("wait_ms", Type.INTEGER))),
    /** Test devices of the device agents: one leased device per session. */
    DEVICE("device", false, "device_", List.of(required("allocator_type", Type.STRING), optional("lease_timeout", Type.INTEGER),
            optional("wait_ms", Type.INTEGER)));

    private final String profileName;
    private final boolean stateless;
    private final String allocatorTypePrefix;
    private final List<ConfigRule> config;

    BackendKind(String profileName, boolean stateless, String allocatorTypePrefix, List<ConfigRule> config) {
        this.profileName = profileName;
        this.stateless = stateless;
        this.allocatorTypePrefix = allocatorTypePrefix;
        this.config = config;
    }

    /** Whether a leased backend can serve resources of this allocator type (desktops are {@code vm_*}, devices {@code device_*}). */
    public boolean serves(String allocatorType) {
        return allocatorTypePrefix != null && allocatorType.startsWith(allocatorTypePrefix)
                && allocatorType.length() > allocatorTypePrefix.length();
    }

    public String allocatorTypePrefix() {
        return allocatorTypePrefix;
    }

    public String profileName() {
        return profileName;
    }

    /** Stateless backends are shared and need no session; the others open one per worker. */
    public boolean stateless() {
        return stateless;
    }

    public List<ConfigRule> config() {
        return config;
    }

    public static Optional<BackendKind> named(String name) {
        return Arrays.stream(values()).filter(k -> k.profileName.equals(name)).findFirst();
    }

    public static List<String> names() {
        return Arrays.stream(values()).map(BackendKind::profileName).toList();
    }
}
