package io.envgrid.allocator.cell;

import static io.envgrid.allocator.support.Api.allocate;
import static io.envgrid.allocator.support.Api.expectError;
import static io.envgrid.allocator.support.Api.register;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.allocator.support.CleanRedis;
import io.envgrid.allocator.support.WithRedis;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * An id belongs to one cell (review h7, item 5): two first registrations of one id racing from types of different
 * cells ({@code vm}: cell {@code desk}, {@code misc}: the default cell) leave it in exactly one cell, the loser
 * answered 409 {@code RESOURCE_IN_OTHER_CELL}; the claim ({@code <default prefix>cell:<id>}) names that cell and goes
 * with the delete. Before the claim, about half of such races registered the id in both cells, and the two copies
 * then handed two workers one lease id and fencing token.
 */
@QuarkusTest
@WithRedis
@TestProfile(CellsTest.TwoCells.class)
class CellClaimTest extends CleanRedis {

    private static final ExecutorService CLIENTS = Executors.newFixedThreadPool(2);

    @Test
    void racingFirstRegistrationsInTwoCellsLeaveTheIdInOne() {
        List<String> twins = new ArrayList<>();
        Map<String, List<ExtractableResponse<Response>>> answers = new LinkedHashMap<>();
        for (int i = 0; i < 40; i++) {
            String id = "dup-" + i;
            CompletableFuture<ExtractableResponse<Response>> vm =
                    CompletableFuture.supplyAsync(() -> register(id, "vm").extract(), CLIENTS);
            CompletableFuture<ExtractableResponse<Response>> misc =
                    CompletableFuture.supplyAsync(() -> register(id, "misc").extract(), CLIENTS);
            answers.put(id, List.of(vm.join(), misc.join()));
            if (redis.key().exists("{envgrid-desk}:r:" + id) && redis.key().exists("{envgrid}:r:" + id)) {
                twins.add(id);
            }
        }
        assertEquals(List.of(), twins, "ids registered in two cells at once");
        answers.forEach((id, pair) -> {
            boolean inDesk = redis.key().exists("{envgrid-desk}:r:" + id);
            assertTrue(inDesk || redis.key().exists("{envgrid}:r:" + id), id + " registered somewhere");
            String winner = inDesk ? "desk" : "default";
            ExtractableResponse<Response> won = pair.get(inDesk ? 0 : 1);
            ExtractableResponse<Response> lost = pair.get(inDesk ? 1 : 0);
            assertEquals(201, won.statusCode(), id + ": the winner's answer " + won.asString());
            assertEquals(409, lost.statusCode(), id + ": the loser's answer " + lost.asString());
            assertEquals("RESOURCE_IN_OTHER_CELL", lost.path("error.code"));
            assertEquals(winner, lost.path("error.details.cell"), id + ": the loser is told the winner's cell");
            assertEquals(winner, redis.value(String.class).get("{envgrid}:cell:" + id), id + ": the claim");
        });
    }

    @Test
    void aRegistrationLosingTheClaimChangesNothing() {
        // A registration in cell desk that has claimed the id and not yet registered it: exactly the window the
        // race needs, held open.
        redis.value(String.class).set("{envgrid}:cell:held", "desk");
        Map<String, String> before = keyspace();
        expectError(register("held", "misc"), 409, "RESOURCE_IN_OTHER_CELL")
                .body("error.details.cell", equalTo("desk")).body("error.details.type_cell", equalTo("default"));
        assertEquals(before, keyspace());
        register("held", "vm").statusCode(201);
        assertTrue(redis.key().exists("{envgrid-desk}:r:held"));
    }

    @Test
    void theClaimGoesWithTheDeleteAndOnlyThen() {
        register("mover", "vm").statusCode(201);
        register("mover", "vm").statusCode(200);
        assertEquals("desk", redis.value(String.class).get("{envgrid}:cell:mover"));
        allocate("w1", List.of("vm"), 60).statusCode(200);
        given().delete("/resources/mover").then().statusCode(409);
        assertEquals("desk", redis.value(String.class).get("{envgrid}:cell:mover"), "a refused delete keeps the claim");
        given().delete("/resources/mover?force=true").then().statusCode(200);
        assertFalse(redis.key().exists("{envgrid}:cell:mover"), "the delete released the claim");
        register("mover", "misc").statusCode(201);
        assertEquals("default", redis.value(String.class).get("{envgrid}:cell:mover"));
        assertFalse(redis.key().exists("{envgrid-desk}:r:mover"));
    }
}
