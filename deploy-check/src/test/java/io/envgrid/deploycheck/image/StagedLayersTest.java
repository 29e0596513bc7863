package io.envgrid.deploycheck.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.TarImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A service's layers follow its code through Jib's layer cache: the layers are built from {@link AppCdsArchive#stage}'s
 * copy, whose files are all dated {@link AppCdsArchive#FILE_TIME}, and Jib finds a cached layer by paths, mtimes,
 * permissions and owners alone. A rebuilt jar of the same size must still give a new image (with the copy at one fixed
 * path the cache served the first build's application to every later image), and an unchanged tree the same one; with
 * either kind of class data.
 */
class StagedLayersTest {

    @TempDir
    Path work;

    @ParameterizedTest
    @EnumSource(ClassData.class)
    void aChangedJarGivesANewImageThroughTheLayerCacheAndAnUnchangedTreeTheSameOne(ClassData classData) throws Exception {
        Path app = work.resolve("quarkus-app");
        write(app.resolve(ServiceImage.RUNNER), "launcher");
        write(app.resolve("app/service.jar"), "code, first build");
        write(app.resolve("lib/main/dependency.jar"), "a dependency");
        write(app.resolve("quarkus/generated-bytecode.jar"), "generated");
        Path runtimePath = work.resolve("runtime");
        write(runtimePath.resolve("bin/java"), "a runtime");
        ImageRuntime runtime = new ImageRuntime(runtimePath, "0.0.1", classData, List.of());
        ServiceImage image = new ServiceImage("envgrid/staged-layers-test", "1", app, 8080);

        String first = build(image, runtime, "first");
        write(app.resolve("app/service.jar"), "code, later build"); // the same size, as a rebuilt jar may have
        String later = build(image, runtime, "later");
        String again = build(image, runtime, "again");

        assertNotEquals(first, later, "a changed application jar changes the image, cached layers or not");
        assertEquals(later, again, "an unchanged tree gives the same image");
    }

    /** Stages the app as a push does, with stand-in class data, and builds an image tarball; its image id. */
    private String build(ServiceImage image, ImageRuntime runtime, String name) throws Exception {
        Path staging = work.resolve("staging");
        AppCdsArchive.deleteTree(staging);
        Path deployments = AppCdsArchive.stage(image.quarkusApp(), staging);
        Path archive = write(deployments.resolve(runtime.classData().file), "class data");
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
