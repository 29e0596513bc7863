package io.envgrid.gateway.sandbox.profile;

import static io.envgrid.gateway.sandbox.profile.ConfigRule.optional;

import io.envgrid.gateway.sandbox.profile.ConfigRule.Type;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The stateless API tools a profile can switch on, by their config key under {@code apis} (seed
 * 003's {@code @register_api_tool(name, config_key=...)}); a tool is served only when its key is
 * in the profile, and gets that section as its configuration.
 */
public enum ApiToolKind {

    /** {@code fetch}: an HTTP GET of a web page or file, returned as text. */
    FETCH("fetch", "fetch", List.of(optional("allowed_hosts", Type.STRING_LIST), optional("max_bytes", Type.INTEGER),
            optional("timeout_ms", Type.INTEGER), optional("user_agent", Type.STRING)));

    private final String configKey;
    private final String toolName;
    private final List<ConfigRule> config;

    ApiToolKind(String configKey, String toolName, List<ConfigRule> config) {
        this.configKey = configKey;
        this.toolName = toolName;
        this.config = config;
    }

    public String configKey() {
        return configKey;
    }

    public String toolName() {
        return toolName;
    }

    public List<ConfigRule> config() {
        return config;
    }

    public static Optional<ApiToolKind> forConfigKey(String key) {
        return Arrays.stream(values()).filter(k -> k.configKey.equals(key)).findFirst();
    }

    public static List<String> configKeys() {
        return Arrays.stream(values()).map(ApiToolKind::configKey).toList();
    }
}
