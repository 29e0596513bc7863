package io.envgrid.rag.api;

import static io.envgrid.rag.api.Api.doc;
import static io.envgrid.rag.api.Api.ingest;
import static io.envgrid.rag.api.Api.jsonLines;
import static io.envgrid.rag.api.Api.search;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;

import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Ranking in each mode over a small corpus whose right answers are obvious to a reader. */
@QuarkusTest
class SearchTest {

    private static final String COLLECTION = "nature";

    /** Upserts, so running it before every test leaves the same five documents. */
    @BeforeEach
    void ingestCorpus() {
        ingest(COLLECTION, jsonLines(List.of(
                doc("volcano", "Volcanoes", "A volcano is a rupture in the crust where molten lava, ash and gases escape.",
                        Map.of("topic", "geology", "year", 2001)),
                doc("glacier", "Glaciers", "A glacier is a persistent body of dense ice that moves under its own weight.",
                        Map.of("topic", "geology", "year", 2002)),
                doc("owl", "Owls", "Owls are nocturnal birds of prey that hunt small mammals at night.",
                        Map.of("topic", "biology", "year", 2001)),
                doc("photosynthesis", "Photosynthesis", "Plants turn sunlight, water and carbon dioxide into sugar and oxygen.",
                        Map.of("topic", "biology", "year", 2003)),
                doc("tide", "Tides", "Tides are the rise and fall of sea levels caused by the gravity of the moon.",
                        Map.of("topic", "oceans", "year", 2002)))))
                .statusCode(200).body("documents", equalTo(5));
    }

    @Test
    void bm25RanksTheDocumentWithTheQueryTerms() {
        search(COLLECTION, "molten lava", "bm25", 3).statusCode(200)
                .body("results[0].id", equalTo("volcano"))
                .body("results[0].metadata.topic", equalTo("geology"))
                .body("results[0].text", equalTo("A volcano is a rupture in the crust where molten lava, ash and gases escape."))
                .body("took_ms", greaterThanOrEqualTo(0));
    }

    @Test
    void denseFindsAParaphraseWithNoWordInCommon() {
        search(COLLECTION, "which animal flies around hunting in the dark", "dense", 3).statusCode(200)
                .body("results[0].id", equalTo("owl"));
    }

    @Test
    void hybridAgreesWhenBothSidesAgree() {
        search(COLLECTION, "ice moving slowly", "hybrid", 2).statusCode(200)
                .body("results[0].id", equalTo("glacier"))
                .body("results", hasSize(2));
    }

    @Test
    void everyModeMarksTheQueryTermsInTheSnippet() {
        for (String mode : List.of("bm25", "dense", "hybrid")) {
            search(COLLECTION, "molten lava", mode, 1).statusCode(200)
                    .body("results[0].id", equalTo("volcano"))
                    .body("results[0].snippet", equalTo("A volcano is a rupture in the crust where <em>molten</em> <em>lava</em>, ash and gases escape."));
        }
        search(COLLECTION, "which animal flies around hunting in the dark", "dense", 1).statusCode(200)
                .body("results[0].snippet", equalTo("Owls are nocturnal birds of prey that <em>hunt</em> small mammals at night."));
    }

    @Test
    void modeAndTopKHaveDefaults() {
        search(Map.of("collection", COLLECTION, "query", "moon gravity")).statusCode(200)
                .body("results", hasSize(5))
                .body("results[0].id", equalTo("tide"));
    }

    @Test
    void filtersKeepOnlyMatchingMetadataInEveryMode() {
        for (String mode : List.of("bm25", "dense", "hybrid")) {
            search(Map.of("collection", COLLECTION, "query", "lava ice owls sugar", "mode", mode, "top_k", 10,
                    "filters", Map.of("topic", "biology")))
                    .statusCode(200)
                    .body("results.id", containsInAnyOrder("owl", "photosynthesis"));
        }
        search(Map.of("collection", COLLECTION, "query", "lava ice owls sugar", "mode", "bm25", "top_k", 10,
                "filters", Map.of("topic", "biology", "year", 2003)))
                .statusCode(200).body("results.id", contains("photosynthesis"));
    }

    /**
     * A query of more than 1,000 distinct terms (1,100 CJK ideographs, one term each; 2,000 characters of
     * single letters) once ended as a 500 in every mode: Lucene refuses queries of over 1,024 clauses. It is
     * searched with its 1,000 most informative terms, the same in every mode, and the snippet marks them.
     */
    @Test
    void aQueryOfMoreThanAThousandTermsIsSearchedInEveryMode() {
        ingest("ideographs", jsonLines(List.of(
                doc("water", null, "水是生命之源 water is the source of life", Map.of()),
                doc("fire", null, "火山 volcanic fire", Map.of())))).statusCode(200);
        StringBuilder ideographs = new StringBuilder();
        for (int i = 0; i < 1100; i++) {
            ideographs.appendCodePoint(0x4e00 + i);
        }
        // 水 (U+6C34) lies beyond the first 1,100 ideographs; it is kept because it occurs in the collection.
        String query = ideographs + "水";
        StringBuilder letters = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            letters.append((char) ('b' + i % 25)).append(' ');
        }
        for (String mode : List.of("bm25", "dense", "hybrid")) {
            search("ideographs", query, mode, 2).statusCode(200);
            search("ideographs", letters.toString().strip(), mode, 2).statusCode(200);
            search("ideographs", "水 ".repeat(999).strip(), mode, 2).statusCode(200);
        }
        search("ideographs", query, "bm25", 1).statusCode(200)
                .body("results[0].id", equalTo("water"))
                .body("results[0].snippet", org.hamcrest.Matchers.containsString("<em>水</em>"));
    }
}
