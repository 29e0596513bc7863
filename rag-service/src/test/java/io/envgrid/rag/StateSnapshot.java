package io.envgrid.rag;

import static io.restassured.RestAssured.get;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.lucene.index.IndexNotFoundException;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * What a refused request must leave as it was, cheap enough to take around every request: the collections
 * the service lists with their document counts, each collection's last commit (its segments file and the
 * names and sizes of the files it references) and every other file and directory under the folder that
 * holds the index directory (so a directory made next to it, or a stray file, shows too). Only commits
 * count inside a collection: Lucene merges segments in the background after a commit, which changes files
 * but not what a search can see.
 *
 * @param lines one line per fact, sorted; two snapshots are equal when nothing a client could observe changed
 */
public record StateSnapshot(List<String> lines) {

    public static StateSnapshot take(Path indexDir) {
        List<String> lines = new ArrayList<>();
        lines.add("listing " + get("/collections").then().statusCode(200).extract().asString());
        Path root = indexDir.getParent();
        TreeSet<String> facts = new TreeSet<>();
        try (Stream<Path> paths = Files.walk(root)) {
            paths.forEach(path -> {
                Path collection = collectionOf(indexDir, path);
                if (collection == null) {
                    facts.add("path " + root.relativize(path) + (Files.isDirectory(path) ? "/" : " " + size(path)));
                } else if (collection.equals(path)) {
                    facts.add("collection " + root.relativize(path) + " " + commit(path));
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        lines.addAll(facts);
        return new StateSnapshot(List.copyOf(lines));
    }

    /** The lines of the other snapshot that differ from this one's, for a failure message. */
    public String diff(StateSnapshot after) {
        List<String> gone = new ArrayList<>(lines);
        gone.removeAll(after.lines);
        List<String> added = new ArrayList<>(after.lines);
        added.removeAll(lines);
        return "before only: " + gone + "; after only: " + added;
    }

    /** The collection directory a path lies in (or is), or null when it is outside every collection. */
    private static Path collectionOf(Path indexDir, Path path) {
        if (!path.startsWith(indexDir) || path.equals(indexDir)) {
            return null;
        }
        Path top = indexDir.resolve(indexDir.relativize(path).getName(0));
        return Files.isDirectory(top) ? top : null;
    }

    private static String commit(Path dir) {
        try (Directory directory = FSDirectory.open(dir)) {
            SegmentInfos commit = SegmentInfos.readLatestCommit(directory);
            TreeSet<String> files = new TreeSet<>();
            for (String file : commit.files(true)) {
                files.add(file + ":" + directory.fileLength(file));
            }
            return commit.getSegmentsFileName() + " " + files;
        } catch (IndexNotFoundException e) {
            return "no commit";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
