package io.envgrid.rag.fuzz;

import static io.envgrid.rag.api.Api.doc;
import static io.envgrid.rag.api.Api.ingest;
import static io.envgrid.rag.api.Api.jsonLines;
import static io.restassured.RestAssured.get;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.rag.api.Api;
import io.envgrid.rag.api.StateSnapshot;
import io.envgrid.testsupport.http.RawHttp;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Property-based fuzzing of every public endpoint, from the service's own OpenAPI document: requests are
 * generated for each operation (path, method, media type) from its parameter and body schemas, mostly
 * valid and partly hostile ({@link Generator}), sent over a plain socket, and after each one the run checks:
 * <ul>
 * <li>no answer is a 5xx (or no answer at all);</li>
 * <li>every 4xx carries the error envelope {@code {"error":{code, message, details, timestamp}}};</li>
 * <li>a refused request (any 4xx) changed nothing: the collections, their document counts, their last
 * commits and every file around the index directory are as before ({@link StateSnapshot});</li>
 * <li>an accepted one changed only what it should: searches and listings nothing, an ingestion only its
 * collection (by at most the documents it carried), a delete one document of its collection.</li>
 * </ul>
 * Two bodies over the size limit (declared and chunked) go in too. The first failure is shrunk to a
 * smaller request that fails the same way. {@code -Drag.fuzz.seed=} replays a run, {@code -Drag.fuzz.requests=}
 * (2,000) and {@code -Drag.fuzz.seconds=} (50, a cap on the run) size it.
 */
@QuarkusTest
class RagFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int REQUESTS = Integer.getInteger("rag.fuzz.requests", 2000);
    private static final long SECONDS = Long.getLong("rag.fuzz.seconds", 50);
    private static final Set<String> READ_ONLY = Set.of("GET /collections", "POST /search");

    @ConfigProperty(name = "envgrid.rag.index-dir")
    Path indexDir;

    @ConfigProperty(name = "envgrid.rag.default-collection")
    String defaultCollection;

    @ConfigProperty(name = "quarkus.http.limits.max-body-size")
    MemorySize bodyLimit;

    /** What went wrong with one request. */
    record Problem(String kind, String detail) {
    }

    /** A request's answer (null when none came), the state after it, and what was wrong, if anything. */
    record Outcome(RawHttp.Response response, StateSnapshot after, Problem problem) {
    }

    @Test
    void noRequestGetsA5xxAndNoRefusedRequestChangesAnything() throws IOException {
        long seed = Long.getLong("rag.fuzz.seed", 7L); // fixed so a run is reproducible; -Drag.fuzz.seed=N explores
        int port = RestAssured.port;
        OpenApi api = new OpenApi(JSON.readTree(get("/q/openapi?format=json").then().statusCode(200).extract().asString()));
        List<OpenApi.Operation> operations = api.operations();
        Set<String> paths = operations.stream().map(OpenApi.Operation::path).collect(Collectors.toCollection(TreeSet::new));
        assertTrue(paths.containsAll(List.of("/search", "/collections", "/collections/{name}/documents", "/collections/{name}/documents/{id}")),
                "the OpenAPI document lists every endpoint: " + paths);
        seedCollections();
        // Searches three times as often as each other operation: the call agents make, and cheap.
        List<OpenApi.Operation> schedule = new ArrayList<>(operations);
        operations.stream().filter(operation -> operation.path().equals("/search")).forEach(search -> schedule.addAll(List.of(search, search)));

        Generator generator = new Generator(seed, api);
        SortedMap<String, Integer> statuses = new TreeMap<>();
        SortedMap<String, Integer> problemCounts = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        FuzzRequest firstFailing = null;
        Problem firstProblem = null;
        long began = System.nanoTime();
        StateSnapshot before = StateSnapshot.take(indexDir, port);
        int sent = 0;
        for (boolean chunked : List.of(false, true)) {
            Outcome oversized = oversized(port, chunked, before);
            sent++;
            count(statuses, oversized.response() == null ? "none" : Integer.toString(oversized.response().status()));
            if (oversized.problem() != null) {
                count(problemCounts, oversized.problem().kind());
                failures.add("oversized body" + (chunked ? " (chunked)" : "") + ": " + oversized.problem());
            }
            before = oversized.after();
        }
        for (; sent < REQUESTS && System.nanoTime() - began < SECONDS * 1_000_000_000L; sent++) {
            FuzzRequest request = generator.next(schedule.get(sent % schedule.size()));
            Outcome outcome = run(port, request, before);
            count(statuses, outcome.response() == null ? "none" : Integer.toString(outcome.response().status()));
            if (outcome.problem() != null) {
                count(problemCounts, outcome.problem().kind());
                if (failures.size() < 5) {
                    failures.add("#" + sent + " " + outcome.problem().kind() + ": " + outcome.problem().detail() + "\n    request: "
                            + request.describe());
                }
                if (firstFailing == null) {
                    firstFailing = request;
                    firstProblem = outcome.problem();
                }
            }
            before = outcome.after();
        }
        double seconds = (System.nanoTime() - began) / 1e9;
        System.out.printf(Locale.ROOT, "rag fuzz: %d requests, %d 5xx, %d without an answer, %d 4xx without the envelope,"
                        + " %d refusals that changed state, %d wrong effects of accepted requests, %d accepted without their credential"
                        + " (seed %d, %d operations, %.1f s)%n"
                        + "    statuses %s%n",
                sent, problemCounts.getOrDefault("5xx", 0), problemCounts.getOrDefault("no answer", 0),
                problemCounts.getOrDefault("no envelope", 0), problemCounts.getOrDefault("refusal changed state", 0),
                problemCounts.getOrDefault("wrong effect", 0), problemCounts.getOrDefault("accepted without credential", 0), seed, operations.size(), seconds, statuses);
        if (!failures.isEmpty()) {
            String shrunk = firstFailing == null ? "" : "\nshrunk: " + shrink(port, firstFailing, firstProblem).describe();
            fail(problemCounts + " in " + sent + " requests (replay with -Drag.fuzz.seed=" + seed + "):\n" + String.join("\n", failures)
                    + shrunk);
        }
    }

    /** Documents for the pool collections and the default one, so that searches and deletes meet real data. */
    private void seedCollections() {
        List<Map<String, Object>> documents = new ArrayList<>();
        String[] texts = {"A volcano erupts molten lava and ash.", "Glaciers are rivers of ice that move under their own weight.",
            "水是生命之源，火山喷发。", "The owl hunts at night; the tide follows the moon."};
        for (int i = 0; i < Generator.IDS.size(); i++) {
            documents.add(doc(Generator.IDS.get(i), "Title " + i, texts[i % texts.length],
                    Map.of("topic", i % 2 == 0 ? "geology" : "biology", "year", 2001 + i % 2)));
        }
        List<String> collections = new ArrayList<>(Generator.COLLECTIONS);
        collections.add(defaultCollection);
        for (String collection : collections) {
            ingest(collection, jsonLines(documents)).statusCode(200);
        }
    }

    private Outcome run(int port, FuzzRequest request, StateSnapshot before) {
        RawHttp.Response response;
        try {
            response = RawHttp.send(port, request.method(), request.target(), request.contentType(), request.headers(),
                    request.body().bytes());
        } catch (IOException e) {
            return new Outcome(null, StateSnapshot.take(indexDir, port), new Problem("no answer", e.toString()));
        }
        StateSnapshot after = StateSnapshot.take(indexDir, port);
        return new Outcome(response, after, check(request, response, before, after));
    }

    private Outcome oversized(int port, boolean chunked, StateSnapshot before) {
        try {
            RawHttp.Response response = RawHttp.oversized(port, "/collections/" + Generator.COLLECTIONS.get(0) + "/documents",
                    "application/x-ndjson", Map.of("Authorization", "Bearer " + Api.SERVICE_TOKEN), bodyLimit.asLongValue(),
                    chunked); // with the service token: a write without one is refused on its head (401) before the size check
            StateSnapshot after = StateSnapshot.take(indexDir, port);
            Problem problem = response.status() != 413 ? new Problem("oversized body not refused", response.status() + " " + abbreviate(response.body()))
                    : refused(response, before, after);
            return new Outcome(response, after, problem);
        } catch (IOException e) {
            return new Outcome(null, StateSnapshot.take(indexDir, port), new Problem("no answer", e.toString()));
        }
    }

    /** The properties every answer must have; null when it has them all. */
    private Problem check(FuzzRequest request, RawHttp.Response response, StateSnapshot before, StateSnapshot after) {
        int status = response.status();
        if (status >= 500) {
            return new Problem("5xx", status + " " + abbreviate(response.body()));
        }
        if (status >= 400) {
            return refused(response, before, after);
        }
        if (status < 200 || status >= 300) {
            return new Problem("unexpected status", status + " " + abbreviate(response.body()));
        }
        String type = response.headers().getOrDefault("content-type", "");
        if (type.startsWith("application/json") && !response.body().isEmpty()) {
            try {
                JSON.readTree(response.body());
            } catch (IOException e) {
                return new Problem("unreadable answer", status + " " + abbreviate(response.body()));
            }
        }
        return effects(request, response, before, after);
    }

    /** A 4xx: the envelope, and nothing changed. */
    private static Problem refused(RawHttp.Response response, StateSnapshot before, StateSnapshot after) {
        String envelope = envelopeProblem(response);
        if (envelope != null) {
            return new Problem("no envelope", response.status() + " " + envelope + ": " + abbreviate(response.body()));
        }
        if (!before.equals(after)) {
            return new Problem("refusal changed state", response.status() + " " + before.diff(after));
        }
        return null;
    }

    private static String envelopeProblem(RawHttp.Response response) {
        if (!response.headers().getOrDefault("content-type", "").startsWith("application/json")) {
            return "content type " + response.headers().get("content-type");
        }
        JsonNode error;
        try {
            error = JSON.readTree(response.body()).path("error");
        } catch (IOException e) {
            return "not JSON";
        }
        if (!error.path("code").isTextual() || error.path("code").asText().isEmpty()) {
            return "no error.code";
        }
        if (!error.path("message").isTextual()) {
            return "no error.message";
        }
        if (!error.path("details").isObject()) {
            return "no error.details object";
        }
        try {
            Instant.parse(error.path("timestamp").asText());
        } catch (DateTimeParseException e) {
            return "no ISO error.timestamp";
        }
        return null;
    }

    /**
     * An accepted request changed what it should and nothing else, and had the credential for it: without an allocator
     * only the service token writes, and a lease token cannot be checked, so it is refused for reads too.
     */
    private static Problem effects(FuzzRequest request, RawHttp.Response response, StateSnapshot before, StateSnapshot after) {
        String call = request.method() + " " + request.operation().path();
        if (request.carriesLeaseToken() && !call.equals("GET /collections")) {
            return new Problem("accepted without credential", call + " with a lease token nobody can check answered " + response.status());
        }
        if (!READ_ONLY.contains(call) && !request.asOperator()) {
            return new Problem("accepted without credential", call + " without the service token answered " + response.status()
                    + ", changes " + before.diff(after));
        }
        if (READ_ONLY.contains(call)) {
            return before.equals(after) ? null : new Problem("wrong effect", call + " changed state: " + before.diff(after));
        }
        String collection;
        int most;
        int least;
        if (request.method().equals("DELETE")) {
            collection = request.pathValues().get("name").text();
            least = -1;
            most = -1;
        } else {
            try {
                JsonNode ingested = JSON.readTree(response.body());
                collection = ingested.path("collection").asText();
                most = ingested.path("documents").asInt();
                least = 0;
            } catch (IOException e) {
                return new Problem("unreadable answer", abbreviate(response.body()));
            }
        }
        int was = before.counts().getOrDefault(collection, 0);
        Integer is = after.counts().get(collection);
        if (is == null || is < was + least || is > was + most) {
            return new Problem("wrong effect", call + " on '" + collection + "': " + was + " -> " + is + " documents, expected "
                    + (was + least) + ".." + (was + most));
        }
        SortedMap<String, Integer> othersBefore = new TreeMap<>(before.counts());
        SortedMap<String, Integer> othersAfter = new TreeMap<>(after.counts());
        othersBefore.remove(collection);
        othersAfter.remove(collection);
        return othersBefore.equals(othersAfter) ? null
                : new Problem("wrong effect", call + " on '" + collection + "' changed other collections: " + othersBefore + " -> " + othersAfter);
    }

    /** Greedily the smallest variant of the request that still fails the same way (within a bounded number of tries). */
    private FuzzRequest shrink(int port, FuzzRequest failing, Problem problem) {
        FuzzRequest current = failing;
        int tries = 0;
        boolean smaller = true;
        while (smaller && tries < 200) {
            smaller = false;
            for (FuzzRequest candidate : current.smaller()) {
                if (++tries > 200) {
                    break;
                }
                Outcome outcome = run(port, candidate, StateSnapshot.take(indexDir, port));
                if (outcome.problem() != null && Objects.equals(outcome.problem().kind(), problem.kind())) {
                    current = candidate;
                    smaller = true;
                    break;
                }
            }
        }
        return current;
    }

    private static void count(SortedMap<String, Integer> counts, String key) {
        counts.merge(key, 1, Integer::sum);
    }

    private static String abbreviate(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "…";
    }
}
