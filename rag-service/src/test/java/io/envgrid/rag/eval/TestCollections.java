package io.envgrid.rag.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Where the test collections are. The envgrid collection ({@code src/test/resources/corpus/envgrid}, written for
 * this project) is always there. The public Cranfield collection is not in the repository: it is looked for in
 * {@code shared/datasets/cranfield} beside the repository (the module directory's {@code ../../shared}, where CI
 * puts it), or wherever the system property {@code eval.cranfield} says.
 */
public final class TestCollections {

    /** Cranfield's folder when the property is not given, relative to the module directory (Maven's working directory). */
    static final String CRANFIELD_BESIDE_REPOSITORY = "../../shared/datasets/cranfield";

    private TestCollections() {
    }

    /** The envgrid collection: 42 documents, 13 queries with graded judgements. */
    public static EvalDataset envgrid() {
        URL folder = TestCollections.class.getResource("/corpus/envgrid");
        if (folder == null) {
            throw new IllegalStateException("corpus/envgrid is missing from the test classpath");
        }
        try {
            return BeirReader.read(Path.of(folder.toURI()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Cranfield's folder, present or not. */
    public static Path cranfieldFolder() {
        return Path.of(System.getProperty("eval.cranfield", CRANFIELD_BESIDE_REPOSITORY)).toAbsolutePath().normalize();
    }

    /** The Cranfield collection, or empty when its files are not where {@link #cranfieldFolder()} says. */
    public static Optional<EvalDataset> cranfield() throws IOException {
        Path folder = cranfieldFolder();
        if (!Files.isRegularFile(folder.resolve("cranqrel"))) {
            return Optional.empty();
        }
        return Optional.of(CranfieldReader.read(folder));
    }

    /**
     * The Cranfield collection for a test, or the test is skipped (a JUnit assumption) with a line on the console
     * saying so: Surefire shows an assumption only as "Skipped: 1".
     */
    public static EvalDataset cranfieldOrSkip() throws IOException {
        Optional<EvalDataset> cranfield = cranfield();
        String skipped = "Cranfield tests did NOT run: " + cranfieldAbsent();
        if (cranfield.isEmpty()) {
            System.out.println("[rag-service] " + skipped);
        }
        Assumptions.assumeTrue(cranfield.isPresent(), skipped);
        return cranfield.get();
    }

    /** Why Cranfield is left out, naming the folder that was looked at. */
    public static String cranfieldAbsent() {
        return "no Cranfield collection (cran.all.1400, cran.qry, cranqrel) in "
                + cranfieldFolder() + "; put the public collection there, beside the repository, or pass -Deval.cranfield=<folder>";
    }
}
