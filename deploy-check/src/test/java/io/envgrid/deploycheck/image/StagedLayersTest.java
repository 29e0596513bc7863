package io.envgrid.deploycheck.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.TarImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service's layers follow its code through Jib's layer cache: the layers are built from {@link AppCdsArchive#stage}'s
 * copy, whose files are all dated {@link AppCdsArchive#FILE_TIME}, and Jib finds a cached layer by paths, mtimes,
 * permissions and owners alone. A rebuilt jar of the same size must still give a new image (with the copy at one fixed
 * path the cache served the first build's application to every later image), and an unchanged tree the same one.
 */
class StagedLayersTest {

    @TempDir
    Path work;

    @Test
    void aChangedJarGivesANewImageThroughTheLayerCacheAndAnUnchangedTreeTheSameOne() throws Exception {
        Path app = work.resolve("quarkus-app");
        write(app.resolve(ServiceImage.RUNNER), "launcher");
        write(app.resolve("app/service.jar"), "code, first build");
        write(app.resolve("lib/main/dependency.jar"), "a dependency");
        write(app.resolve("quarkus/generated-bytecode.jar"), "generated");
        Path runtime = work.resolve("runtime");
        write(runtime.resolve("bin/java"), "a runtime");
        ServiceImage image = new ServiceImage("envgrid/staged-layers-test", "1", app, 8080);

        String first = build(image, runtime, "first");
        write(app.resolve("app/service.jar"), "code, later build"); // the same size, as a rebuilt jar may have
        String later = build(image, runtime, "later");
        String again = build(image, runtime, "again");

        assertNotEquals(first, later, "a changed application jar changes the image, cached layers or not");
        assertEquals(later, again, "an unchanged tree gives the same image");
    }

    /** Stages the app as a push does, with a stand-in class-data archive, and builds an image tarball; its image id. */
    private String build(ServiceImage image, Path runtime, String name) throws Exception {
        Path staging = work.resolve("staging");
        AppCdsArchive.deleteTree(staging);
        Path deployments = AppCdsArchive.stage(image.quarkusApp(), staging);
        Path archive = write(deployments.resolve(AppCdsArchive.FILE), "class data");
        Files.setLastModifiedTime(archive, FileTime.from(AppCdsArchive.FILE_TIME));
        Path cache = work.resolve("jib-cache");
        return image.onto(Jib.fromScratch(), runtime, deployments)
                .containerize(Containerizer.to(TarImage.at(work.resolve(name + ".tar")).named("staged-layers-test:1"))
                        .setBaseImageLayersCache(cache.resolve("base"))
                        .setApplicationLayersCache(cache.resolve("application"))
                        .setToolName("envgrid-deploy-check"))
                .getImageId().toString();
    }

    private static Path write(Path file, String content) throws java.io.IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }
}
