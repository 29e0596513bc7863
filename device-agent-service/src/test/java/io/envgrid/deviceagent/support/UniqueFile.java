package io.envgrid.deviceagent.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A small file under a fresh name, so that tests sharing a device's {@code files/} directory never collide. */
public final class UniqueFile {

    private UniqueFile() {
    }

    /** Writes {@code content} to {@code <prefix>-<random><suffix>} in {@code directory} (made if missing); its name. */
    public static String write(Path directory, String prefix, String suffix, String content) throws IOException {
        String name = AgentCalls.uniqueId(prefix) + suffix;
        Files.writeString(Files.createDirectories(directory).resolve(name), content);
        return name;
    }
}
