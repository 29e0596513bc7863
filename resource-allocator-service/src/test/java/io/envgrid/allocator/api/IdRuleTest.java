package io.envgrid.allocator.api;

import static io.envgrid.allocator.support.Api.expectError;
import static io.envgrid.allocator.support.Api.post;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.allocator.support.CleanRedis;
import io.envgrid.allocator.support.WithRedis;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The one id rule of docs/isolation.md at every door: ids with ':', '/', '@' and '.' work end to
 * end (a '/' in a path parameter is sent percent-encoded as %2F), anything outside the rule is
 * {@code 400 INVALID_ID} in bodies, path and query alike, and ids that look like key fragments of
 * each other never share a Redis key.
 */
@QuarkusTest
@WithRedis
class IdRuleTest extends CleanRedis {

    private static final String RESOURCE = "pool:eu/vm-1@host.example";
    private static final String WORKER = "org:team/worker@node.7";
    private static final String REQUEST = "req:2026/run@42.1";
    private static final String TYPE = "vm.linux-x86_64";

    private static RequestSpecification raw() {
        return given().urlEncodingEnabled(false);
    }

    private static String path(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Test
    void idsWithColonSlashAtAndDotWorkEndToEnd() {
        post("/resources", Map.of("id", RESOURCE, "type", TYPE, "endpoint", Map.of("ip", "10.0.0.9"),
                "labels", Map.of("owner", WORKER))).statusCode(201).body("id", equalTo(RESOURCE));
        raw().get("/resources/" + path(RESOURCE)).then().statusCode(200).body("id", equalTo(RESOURCE))
                .body("type", equalTo(TYPE)).body("labels.owner", equalTo(WORKER));
        raw().put("/resources/" + path(RESOURCE) + "/heartbeat").then().statusCode(200).body("id", equalTo(RESOURCE));
        raw().post("/resources/" + path(RESOURCE) + "/drain").then().statusCode(200).body("admin", equalTo("draining"));
        raw().post("/resources/" + path(RESOURCE) + "/undrain").then().statusCode(200).body("admin", equalTo("active"));
        given().queryParam("type", TYPE).queryParam("label", "owner=" + WORKER).get("/resources").then()
                .statusCode(200).body("$", hasSize(1)).body("[0].id", equalTo(RESOURCE));

        Map<String, Object> allocate = Map.of("worker_id", WORKER, "resource_types", List.of(TYPE), "timeout", 60,
                "request_id", REQUEST);
        String token = post("/allocate", allocate).statusCode(200)
                .body("'" + TYPE + "'.id", equalTo(RESOURCE)).extract().path("'" + TYPE + "'.lease_token");
        post("/allocate", allocate).statusCode(200).header("X-Envgrid-Replayed", "true");
        post("/leases/verify", Map.of("resource_id", RESOURCE, "lease_token", token)).statusCode(200)
                .body("worker_id", equalTo(WORKER)).body("lease_id", equalTo(RESOURCE + ":1"));
        given().queryParam("worker_id", WORKER).get("/leases").then().statusCode(200).body("$", hasSize(1));
        post("/renew", Map.of("worker_id", WORKER, "resource_ids", List.of(RESOURCE), "timeout", 120)).statusCode(200)
                .body("details.'" + RESOURCE + "'.status", equalTo("renewed"));
        assertTrue(redis.set(String.class).sismember("{envgrid}:w:" + WORKER, RESOURCE));
        assertTrue(redis.key().exists("{envgrid}:req:" + REQUEST));

        post("/release", Map.of("worker_id", WORKER, "resource_id", RESOURCE)).statusCode(200)
                .body("details.'" + RESOURCE + "'", equalTo("released"));
        expectError(post("/leases/verify", Map.of("resource_id", RESOURCE, "lease_token", token)), 409, "LEASE_NOT_LIVE");
        raw().delete("/resources/" + path(RESOURCE)).then().statusCode(200).body("id", equalTo(RESOURCE));
        raw().get("/resources/" + path(RESOURCE)).then().statusCode(404);
    }

    @Test
    void idsThatLookLikeKeyFragmentsKeepTheirOwnKeys() {
        // Resource "w:x", worker "x", request "x": every key family has its own literal prefix.
        post("/resources", Map.of("id", "w:x", "type", "rag")).statusCode(201);
        post("/resources", Map.of("id", "x", "type", "rag")).statusCode(201);
        post("/allocate", Map.of("worker_id", "x", "resource_types", List.of("rag", "rag"), "request_id", "x"))
                .statusCode(200);
        assertEquals(java.util.Set.of("w:x", "x"), redis.set(String.class).smembers("{envgrid}:w:x"));
        assertEquals("hash", redis.key().type("{envgrid}:r:w:x").name().toLowerCase());
        assertEquals("string", redis.key().type("{envgrid}:req:x").name().toLowerCase());
        post("/release/worker", Map.of("worker_id", "x")).statusCode(200)
                .body("details.'w:x'", equalTo("released")).body("details.x", equalTo("released"));
    }

    @Test
    void everyDoorRefusesIdsOutsideTheRuleWithInvalidId() {
        String[] bad = {"", " ", "-lead", ".hidden", "a b", "a%2Fb", "a#b", "a\tb", "é", "../etc", "x".repeat(201)};
        for (String id : bad) {
            expectError(post("/allocate", Map.of("worker_id", id, "resource_types", List.of("rag"))), 400, "INVALID_ID");
            expectError(post("/allocate", Map.of("worker_id", "w", "resource_types", List.of("rag"), "request_id", id)),
                    400, "INVALID_ID");
            expectError(post("/release", Map.of("worker_id", "w", "resource_id", id)), 400, "INVALID_ID");
            expectError(post("/release/batch", Map.of("worker_id", "w", "resource_ids", List.of(id))), 400, "INVALID_ID");
            expectError(post("/release/worker", Map.of("worker_id", id)), 400, "INVALID_ID");
            expectError(post("/renew", Map.of("worker_id", id)), 400, "INVALID_ID");
            expectError(post("/resources", Map.of("id", id, "type", "rag")), 400, "INVALID_ID");
            expectError(post("/resources", Map.of("id", "ok", "type", "rag", "labels", Map.of("k", id))), 400, "INVALID_ID");
            expectError(given().queryParam("worker_id", id).get("/leases").then(), 400, "INVALID_ID");
            expectError(given().queryParam("label", "k=" + id).get("/resources").then(), 400, "INVALID_ID");
            if (!id.isEmpty()) {
                expectError(raw().get("/resources/" + path(id)).then(), 400, "INVALID_ID");
                expectError(raw().delete("/resources/" + path(id)).then(), 400, "INVALID_ID");
            }
        }
        for (String type : List.of("", "a/b", "a:b", "a@b", "t#2", "x".repeat(65))) {
            expectError(post("/allocate", Map.of("worker_id", "w", "resource_types", List.of(type))), 400, "INVALID_ID");
            expectError(post("/resources", Map.of("id", "r", "type", type)), 400, "INVALID_ID");
            expectError(given().queryParam("type", type).get("/resources").then(), 400, "INVALID_ID");
        }
        assertEquals(Map.of(), keyspace(), "no refusal left anything in Redis");
    }
}
