package io.envgrid.rag.error;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RouterErrorsTest {

    @Test
    void acceptHeadersThatTakeJson() {
        for (String accept : List.of("*/*", "application/json", "application/*", "text/html, application/json;q=0.1", "application/json;q=abc",
                "*/*;q=2", "garbage, */*", "application/json; charset=utf-8")) {
            assertTrue(RouterErrors.acceptsJson(accept), accept);
        }
    }

    @Test
    void acceptHeadersThatRuleJsonOut() {
        for (String accept : List.of("garbage", "application/xml", "text/plain", "text/*", "application/json;q=0", "*/*;q=0.0", ",")) {
            assertFalse(RouterErrors.acceptsJson(accept), accept);
        }
    }
}
