package io.envgrid.testsupport.x11;

import io.envgrid.testsupport.wait.Poll;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Real X applications that tell what was typed into them, so a typing test compares the text an application received
 * rather than trusting an exit status: a UTF-8 xterm whose {@code cat} writes each typed line to a file
 * ({@link Terminal}), and a GTK 3 entry that prints its text when Return activates it ({@link GtkEntry}). Shared by
 * the device agent's typing tests (its desktop endpoint) and the gateway's (the whole path through the vm-controller).
 * Needs xterm, python3-gi and gir1.2-gtk-3.0 (installed by {@code ./envgrid test}) and the C.UTF-8 locale.
 */
public final class TypedText {

    /** For an X client to start and map its window; many seconds on a loaded 2-core machine. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private TypedText() {
    }

    /**
     * An xterm ({@code -u8}, {@code LC_ALL=C.UTF-8}) running only {@code cat > typed.txt} with echo off: each line
     * reaches the file, as UTF-8, when a newline (Return) is typed; a tab arrives as a tab. Without a window manager
     * the window under the pointer has the keyboard, so the caller moves the pointer into it before typing.
     */
    public static final class Terminal implements AutoCloseable {

        private final Process process;
        private final Path file;

        private Terminal(Process process, Path file) {
            this.process = process;
            this.file = file;
        }

        /**
         * Opens the xterm on {@code display} (e.g. {@code ":91"}) with {@code geometry} in xterm's form
         * ({@code 60x4+640+560}: columns × rows + x + y, in pixels for the position), its working directory {@code dir}
         * (created), and returns once its {@code cat} has opened the file.
         *
         * @throws AssertionError if it did not within {@link #START_TIMEOUT}
         */
        public static Terminal open(String display, Path dir, String geometry) {
            Path file = dir.resolve("typed.txt");
            try {
                Files.createDirectories(dir);
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Path log = dir.resolve("xterm.log");
            Process process = start(display, dir, log, log, "xterm", "-u8", "-geometry", geometry,
                    "-e", "sh", "-c", "stty -echo; cat > typed.txt");
            Terminal terminal = new Terminal(process, file);
            Poll.await("the xterm's cat on " + display, START_TIMEOUT, () -> Files.exists(file));
            return terminal;
        }

        /** What {@code cat} has written so far, decoded as UTF-8; empty before the first line. */
        public String text() {
            return read(file);
        }

        /**
         * Waits until {@code lines} whole lines have arrived and returns the text.
         *
         * @throws AssertionError with the text that did arrive, when they have not within {@code timeout}
         */
        public String awaitLines(int lines, Duration timeout) {
            try {
                Poll.await(lines + " lines in " + file, timeout, () -> text().chars().filter(c -> c == '\n').count() >= lines);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; arrived: '" + text() + "'", e);
            }
            return text();
        }

        @Override
        public void close() {
            process.destroy();
        }
    }

    /**
     * A GTK 3 window holding one text entry (the script {@code entry_window.py} of this jar), with GTK's simple input
     * method (keysyms to text, no IBus daemon) and no accessibility bus. It takes the keyboard focus itself once mapped
     * (there is no window manager to give it), and prints the entry's text and exits when Return activates it.
     */
    public static final class GtkEntry implements AutoCloseable {

        private static final String MARK = "TEXT[";

        private final Process process;
        private final Path out;
        private final Path err;

        private GtkEntry(Process process, Path out, Path err) {
            this.process = process;
            this.out = out;
            this.err = err;
        }

        /**
         * Opens the window on {@code display} with its top left corner at ({@code x}, {@code y}) (400 × 40 pixels), its
         * files in {@code dir} (created), and returns once the entry has the keyboard focus.
         *
         * @throws AssertionError if it did not within {@link #START_TIMEOUT}, with the script's standard error
         */
        public static GtkEntry open(String display, Path dir, int x, int y) {
            Path script = dir.resolve("entry_window.py");
            try (InputStream source = TypedText.class.getResourceAsStream("entry_window.py")) {
                Files.createDirectories(dir);
                Files.copy(source, script, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Path out = dir.resolve("entry.out");
            Path err = dir.resolve("entry.err");
            // standard error apart: a GTK warning must not fall inside the printed text
            Process process = start(display, dir, out, err, "/usr/bin/python3", script.toString(), Integer.toString(x),
                    Integer.toString(y));
            GtkEntry entry = new GtkEntry(process, out, err);
            entry.await("the GTK entry focused on " + display, START_TIMEOUT, () -> read(out).contains("READY"));
            return entry;
        }

        /**
         * Waits until Return has activated the entry and the window has closed, and returns the entry's text.
         *
         * @throws AssertionError with what the script printed, when it has not within {@code timeout}
         */
        public String awaitActivated(Duration timeout) {
            await("the GTK entry activated", timeout, () -> read(out).contains(MARK) && !process.isAlive());
            String printed = read(out);
            return printed.substring(printed.indexOf(MARK) + MARK.length(), printed.lastIndexOf(']'));
        }

        private void await(String what, Duration timeout, BooleanSupplier condition) {
            try {
                Poll.await(what, timeout, condition);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; printed: '" + read(out) + "', errors: '" + read(err) + "'", e);
            }
        }

        @Override
        public void close() {
            process.destroy();
        }
    }

    private static Process start(String display, Path dir, Path out, Path err, String... command) {
        ProcessBuilder builder = new ProcessBuilder(List.of(command)).directory(dir.toFile());
        if (out.equals(err)) {
            builder.redirectErrorStream(true).redirectOutput(out.toFile());
        } else {
            builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        }
        builder.environment().putAll(Map.of("DISPLAY", display, "LC_ALL", "C.UTF-8",
                "PYTHONIOENCODING", "utf-8", "GTK_IM_MODULE", "gtk-im-context-simple", "NO_AT_BRIDGE", "1"));
        try {
            return builder.start();
        } catch (IOException e) {
            throw new IllegalStateException(command[0] + " is not installed; './envgrid test' installs it", e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
