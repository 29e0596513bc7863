package io.envgrid.deviceagent.exec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One line of {@code /etc/passwd} ({@code name:x:uid:gid:gecos:home:shell}, passwd(5)): the identity worker commands
 * are switched to. Read from the file, not NSS, so that it works the same in a native image.
 */
public record PasswdEntry(String name, long uid, long gid, String home) {

    /** The entry of {@code user} in {@code passwdFile}; empty when there is none (or the file cannot be read). */
    public static Optional<PasswdEntry> find(Path passwdFile, String user) {
        try {
            for (String line : Files.readAllLines(passwdFile)) {
                String[] fields = line.split(":", -1);
                if (fields.length >= 7 && fields[0].equals(user)) {
                    return Optional.of(new PasswdEntry(fields[0], Long.parseLong(fields[2]), Long.parseLong(fields[3]),
                            fields[5]));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
