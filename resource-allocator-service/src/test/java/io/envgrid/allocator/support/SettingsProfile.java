package io.envgrid.allocator.support;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * A test profile that only changes settings: a test's nested {@code public static} subclass passes them
 * to this constructor from its own no-argument one (Quarkus creates profiles by that constructor).
 */
public abstract class SettingsProfile implements QuarkusTestProfile {

    private final Map<String, String> overrides;

    protected SettingsProfile(Map<String, String> overrides) {
        this.overrides = Map.copyOf(overrides);
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return overrides;
    }
}
