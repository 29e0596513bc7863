package io.envgrid.rag.api;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.testsupport.http.RawHttp;
import io.restassured.RestAssured;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * What a refused request must leave as it was, cheap enough to take after every request of a fuzz run: the
 * collections the service lists with their document counts, each collection's last commit (its segments
 * file and the names and sizes of the files it references) and every other file and directory under the
 * folder that holds the index directory (so a directory made next to it, or a stray file, shows too). Only
 * commits count inside a collection: Lucene merges segments in the background after a commit, which
 * changes files but not what a search can see. A commit's files never change, so a commit read once is
 * remembered by its segments file.
 *
 * @param counts collection name to document count, as {@code GET /collections} lists them
 * @param files one line per directory, file or collection commit, sorted
 */
public record StateSnapshot(SortedMap<String, Integer> counts, List<String> files) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> COMMITS = new ConcurrentHashMap<>();

    public static StateSnapshot take(Path indexDir) {
        return take(indexDir, RestAssured.port);
    }

    public static StateSnapshot take(Path indexDir, int port) {
        SortedMap<String, Integer> counts = new TreeMap<>();
        try {
            RawHttp.Response listing = RawHttp.send(port, "GET", "/collections", null, null);
            if (listing.status() != 200) {
                throw new IllegalStateException("GET /collections answered " + listing.status() + ": " + listing.body());
            }
            for (Map<String, Object> collection : JSON.readValue(listing.body(), new TypeReference<List<Map<String, Object>>>() { })) {
                counts.put((String) collection.get("name"), ((Number) collection.get("documents")).intValue());
            }
            return new StateSnapshot(counts, files(indexDir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The facts that differ between this snapshot and a later one, for a failure message. */
    public String diff(StateSnapshot after) {
        List<String> gone = new ArrayList<>(files);
        gone.removeAll(after.files);
        List<String> added = new ArrayList<>(after.files);
        added.removeAll(files);
        return "counts " + counts + " -> " + after.counts + "; files before only: " + gone + "; after only: " + added;
    }

    private static List<String> files(Path indexDir) throws IOException {
        Path root = indexDir.getParent();
        TreeSet<String> facts = new TreeSet<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
                if (indexDir.equals(dir.getParent())) {
                    facts.add("collection " + root.relativize(dir) + " " + commit(dir));
                    return FileVisitResult.SKIP_SUBTREE;
                }
                facts.add("dir " + root.relativize(dir));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                facts.add("file " + root.relativize(file) + " " + attributes.size());
                return FileVisitResult.CONTINUE;
            }
        });
        return List.copyOf(facts);
    }

    private static String commit(Path dir) throws IOException {
        try (Directory directory = FSDirectory.open(dir)) {
            String segments = SegmentInfos.getLastCommitSegmentsFileName(directory.listAll());
            if (segments == null) {
                return "no commit";
            }
            String key = dir + "/" + segments;
            String known = COMMITS.get(key);
            if (known != null) {
                return known;
            }
            SegmentInfos commit = SegmentInfos.readCommit(directory, segments);
            TreeSet<String> files = new TreeSet<>();
            for (String file : commit.files(true)) {
                files.add(file + ":" + directory.fileLength(file));
            }
            String described = segments + " " + files;
            COMMITS.put(key, described);
            return described;
        }
    }
}
