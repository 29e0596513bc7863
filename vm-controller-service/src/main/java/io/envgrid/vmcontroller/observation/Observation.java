package io.envgrid.vmcontroller.observation;

import io.envgrid.vmcontroller.vm.CursorPosition;
import io.envgrid.vmcontroller.vm.ScreenSize;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** What an agent sees of a VM at one moment; the screenshot is a base64 PNG, the form an MCP tool result carries an image in. */
@RegisterForReflection
public record Observation(String screenshot, String accessibilityTree, ScreenSize screenSize, CursorPosition cursor) {
}
