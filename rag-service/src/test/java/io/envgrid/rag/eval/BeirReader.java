package io.envgrid.rag.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.rag.index.Document;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads a BEIR folder: corpus.jsonl {_id,title,text}, queries.jsonl {_id,text}, qrels/test.tsv. */
public final class BeirReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private BeirReader() {
    }

    public static EvalDataset read(Path folder) throws IOException {
        List<Document> corpus = new ArrayList<>();
        for (JsonNode line : jsonLines(folder.resolve("corpus.jsonl"))) {
            String title = line.path("title").asText("");
            String text = line.path("text").asText("");
            // Some BEIR corpora have records with a title only; records with neither are unfindable anyway.
            if (!text.isBlank() || !title.isBlank()) {
                corpus.add(new Document(line.get("_id").asText(), title, text.isBlank() ? title : text, Map.of()));
            }
        }
        Map<String, Map<String, Integer>> gains = new HashMap<>();
        Map<String, Set<String>> relevant = new HashMap<>();
        try (BufferedReader reader = Files.newBufferedReader(folder.resolve("qrels").resolve("test.tsv"))) {
            String header = reader.readLine();
            if (header == null) {
                throw new IOException("empty qrels file");
            }
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String[] fields = line.split("\t");
                int score = Integer.parseInt(fields[2].trim());
                gains.computeIfAbsent(fields[0], q -> new HashMap<>()).put(fields[1], Math.max(score, 0));
                if (score > 0) {
                    relevant.computeIfAbsent(fields[0], q -> new HashSet<>()).add(fields[1]);
                }
            }
        }
        // BEIR ships queries of every split; only those judged in the test split are evaluated.
        Map<String, String> queries = new LinkedHashMap<>();
        for (JsonNode line : jsonLines(folder.resolve("queries.jsonl"))) {
            String id = line.get("_id").asText();
            if (gains.containsKey(id)) {
                queries.put(id, line.get("text").asText());
            }
        }
        return new EvalDataset(folder.getFileName().toString(), corpus, queries, gains, relevant);
    }

    private static List<JsonNode> jsonLines(Path file) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                nodes.add(JSON.readTree(line));
            }
        }
        return nodes;
    }
}
