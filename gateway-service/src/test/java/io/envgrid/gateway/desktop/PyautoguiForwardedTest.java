package io.envgrid.gateway.desktop;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.envgrid.gateway.support.SandboxHttp;
import io.envgrid.gateway.support.TestCluster;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.test.junit.QuarkusTest;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The default, {@code envgrid.gateway.desktop.pyautogui-check=off}: an OSWorld VM runs any Python, so the gateway
 * forwards code outside the device agent's subset as it is and the desktop decides. (The {@code subset} setting:
 * {@link PyautoguiSubsetCheckTest}.)
 */
@QuarkusTest
@WithCluster
class PyautoguiForwardedTest {

    @Test
    void codeOutsideTheSubsetReachesTheDesktop() {
        String marker = UUID.randomUUID().toString();
        String code = "for i in range(2):\n    pyautogui.click(5, 6)\nprint('" + marker + "')";
        SandboxHttp.post("/execute", "{\"worker_id\": \"pyfwd-" + UUID.randomUUID() + "\", \"action\": \"vm:pyautogui\", "
                + "\"params\": {\"code\": " + JsonNodeFactory.instance.textNode(code) + "}}").then().statusCode(200);
        assertTrue(TestCluster.get().desktops().stream().anyMatch(d -> d.executed().stream().anyMatch(c -> c.contains(marker))),
                "the code reached the desktop as it is");
    }
}
