package io.envgrid.rag.eval;

import io.envgrid.rag.index.Document;
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

/**
 * Reads the Cranfield files (cran.all.1400, cran.qry, cranqrel) into the same model as a BEIR folder.
 *
 * <p>Two conventions of this collection: the ids in cran.qry (001, 002, 004, 008, ...) are not the ids
 * in cranqrel, which numbers the queries 1..225 in file order, so the n-th query gets id n. Relevance
 * runs from 1 (complete answer) to 4 (minimal interest), -1 meaning none: nDCG uses gain 5 - relevance
 * for 1..4 and 0 otherwise; MAP and recall count relevance 1..3 as relevant, leaving out the
 * "minimal interest" judgements.
 */
public final class CranfieldReader {

    private CranfieldReader() {
    }

    public static EvalDataset read(Path folder) throws IOException {
        List<Document> corpus = new ArrayList<>();
        for (Map<String, String> record : records(folder.resolve("cran.all.1400"))) {
            String title = record.getOrDefault("T", "");
            String text = record.getOrDefault("W", "");
            // A few records have no abstract; their title is all there is to index.
            if (!text.isBlank() || !title.isBlank()) {
                corpus.add(new Document(record.get("I"), title, text.isBlank() ? title : text, Map.of()));
            }
        }
        Map<String, String> queries = new LinkedHashMap<>();
        for (Map<String, String> record : records(folder.resolve("cran.qry"))) {
            queries.put(Integer.toString(queries.size() + 1), record.getOrDefault("W", ""));
        }
        Map<String, Map<String, Integer>> gains = new HashMap<>();
        Map<String, Set<String>> relevant = new HashMap<>();
        for (String line : Files.readAllLines(folder.resolve("cranqrel"))) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length < 3) {
                continue;
            }
            int relevance = Integer.parseInt(fields[2]);
            gains.computeIfAbsent(fields[0], q -> new HashMap<>()).put(fields[1], relevance >= 1 && relevance <= 4 ? 5 - relevance : 0);
            if (relevance >= 1 && relevance <= 3) {
                relevant.computeIfAbsent(fields[0], q -> new HashSet<>()).add(fields[1]);
            }
        }
        return new EvalDataset("cranfield", corpus, queries, gains, relevant);
    }

    /** Splits a file of ".I id" records into field letter to text; the record's id is under "I". */
    private static List<Map<String, String>> records(Path file) throws IOException {
        List<Map<String, String>> records = new ArrayList<>();
        Map<String, String> current = null;
        String field = null;
        StringBuilder text = new StringBuilder();
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith(".I ")) {
                finish(current, field, text);
                current = new HashMap<>();
                current.put("I", line.substring(3).strip());
                records.add(current);
                field = null;
            } else if (line.length() == 2 && line.charAt(0) == '.' && Character.isUpperCase(line.charAt(1))) {
                finish(current, field, text);
                field = line.substring(1);
            } else if (field != null) {
                text.append(line).append('\n');
            }
        }
        finish(current, field, text);
        return records;
    }

    private static void finish(Map<String, String> record, String field, StringBuilder text) {
        if (record != null && field != null) {
            record.put(field, text.toString().strip());
        }
        text.setLength(0);
    }
}
