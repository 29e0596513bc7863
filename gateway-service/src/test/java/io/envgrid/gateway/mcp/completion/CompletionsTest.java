package io.envgrid.gateway.mcp.completion;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CompletionsTest {

    @Test
    void prefixCaseInsensitiveSortedAndCapped() {
        JsonNode answer = Completions.answer(List.of("pyautogui", "Computer", "computer_13"), "COMP");
        assertEquals("[\"Computer\",\"computer_13\"]", answer.path("completion").path("values").toString());
        assertEquals(2, answer.path("completion").path("total").asInt());

        List<String> many = IntStream.range(0, 150).mapToObj(i -> String.format("d-%03d", i)).toList();
        JsonNode capped = Completions.answer(many, "d-").path("completion");
        assertEquals(Completions.MAX_VALUES, capped.path("values").size());
        assertEquals(150, capped.path("total").asInt());
        assertEquals(true, capped.path("hasMore").asBoolean());
    }
}
