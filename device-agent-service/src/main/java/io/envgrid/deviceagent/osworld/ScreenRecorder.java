package io.envgrid.deviceagent.osworld;

import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.process.HostProcesses;
import io.envgrid.deviceagent.x11.XDisplay;
import io.envgrid.deviceagent.x11.XInput;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One screen recording at a time with ffmpeg's x11grab, as OSWorld's server records: started, then
 * stopped with SIGINT so ffmpeg finishes the MP4, which is handed back. ffmpeg itself stops (and finishes the file) at
 * {@code desktop.recording-max-size} bytes or {@code recording-max-duration}, whichever comes first; its messages go to
 * a pipe of the agent (the last {@value #KEPT_MESSAGE_BYTES} bytes kept for an error answer), never to a file.
 */
@ApplicationScoped
public class ScreenRecorder {

    /** How much of ffmpeg's last messages is kept, to say why it stopped at once. */
    static final int KEPT_MESSAGE_BYTES = 8192;

    private final XDisplay display;
    private final XInput input;
    private final Path file;
    private final long maxBytes;
    private final java.time.Duration maxDuration;
    /** How ffmpeg's command line is started: a hosted desktop's puts it into the desktop's control group. */
    private final java.util.function.UnaryOperator<List<String>> launcher;
    private Process ffmpeg;
    private Messages messages;

    /** ffmpeg's messages as read so far by {@code reader}, which reads its pipe to the end. */
    private record Messages(StringBuilder kept, Thread reader) {
        /** What an ended ffmpeg said: the pipe read to its end (1 s at most). */
        String said() throws InterruptedException {
            reader.join(1000);
            synchronized (kept) {
                return kept.toString();
            }
        }
    }

    @jakarta.inject.Inject
    public ScreenRecorder(XDisplay display, XInput input, DeviceAgentConfig config) {
        this(display, input, config.desktop().recordingFile().orElseGet(ScreenRecorder::privateFile), config,
                command -> command);
    }

    /** A name in a new directory only the agent's uid may enter: no worker can have made it a link beforehand. */
    static Path privateFile() {
        try {
            return Files.createTempDirectory("envgrid-recording").resolve("recording.mp4");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot make the recording's directory", e);
        }
    }

    /**
     * A hosted desktop's recorder, writing to its own {@code file}, bounded by {@code config}'s
     * {@code desktop.recording-max-size} and {@code recording-max-duration}.
     *
     * @param launcher the words ffmpeg is started with around its own ({@code WorkerExec.inCgroup}: the desktop's
     *            control group, so its memory and CPU count against the desktop)
     */
    public ScreenRecorder(XDisplay display, XInput input, Path file, DeviceAgentConfig config,
            java.util.function.UnaryOperator<List<String>> launcher) {
        this.display = display;
        this.input = input;
        this.file = file;
        this.maxBytes = config.desktop().recordingMaxSize().asLongValue();
        this.maxDuration = config.desktop().recordingMaxDuration();
        this.launcher = launcher;
        if (maxBytes < 1 || maxDuration.isNegative() || maxDuration.isZero()) {
            throw new IllegalStateException("envgrid.device-agent.desktop.recording-max-size and recording-max-duration "
                    + "must be positive, not " + maxBytes + " bytes and " + maxDuration);
        }
    }

    public synchronized void start() {
        if (ffmpeg != null && ffmpeg.isAlive()) {
            throw new DesktopException(400, "Recording is already in progress.");
        }
        XInput.ScreenSize size = input.screenSize();
        try {
            Files.deleteIfExists(file);
            ProcessBuilder builder = new ProcessBuilder(launcher.apply(List.of("ffmpeg", "-nostdin", "-y",
                    "-loglevel", "error", "-f", "x11grab", "-draw_mouse", "1",
                    "-s", size.width() + "x" + size.height(), "-i", display.require(),
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", "-r", "30",
                    "-t", String.format(java.util.Locale.ROOT, "%.3f", maxDuration.toMillis() / 1000.0),
                    "-fs", Long.toString(maxBytes), file.toString())))
                    .redirectErrorStream(true);
            builder.environment().putAll(display.environment()); // a hosted display admits only its cookie's holders
            ffmpeg = builder.start();
            ffmpeg.getOutputStream().close();
            messages = keepTail(ffmpeg.getInputStream());
            // ffmpeg that cannot open the display or the encoder exits at once; OSWorld waits 2 s for that too
            if (ffmpeg.waitFor(2, TimeUnit.SECONDS)) {
                String error = messages.said();
                ffmpeg = null;
                throw new DesktopException(500, "Failed to start recording. ffmpeg terminated unexpectedly. Error: " + error);
            }
        } catch (IOException e) {
            throw new DesktopException(500, "Failed to start recording: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DesktopException(500, "interrupted");
        }
    }

    /**
     * Stops the recording and returns the MP4 file; a recording that ffmpeg ended at its size or time bound is
     * returned as it was finished then.
     */
    public synchronized Path stop() {
        if (ffmpeg != null && !ffmpeg.isAlive() && ffmpeg.exitValue() == 0 && nonEmpty(file)) {
            ffmpeg = null; // stopped at its bound, the file finished
            return file;
        }
        if (ffmpeg == null || !ffmpeg.isAlive()) {
            ffmpeg = null;
            throw new DesktopException(400, "No recording in progress to stop.");
        }
        Process running = ffmpeg;
        ffmpeg = null;
        try {
            HostProcesses.run(List.of("kill", "-INT", Long.toString(running.pid())), null, java.util.Map.of(),
                    java.time.Duration.ofSeconds(5));
            if (!running.waitFor(15, TimeUnit.SECONDS)) {
                HostProcesses.killTree(running.toHandle());
                throw new DesktopException(500, "Recording process was unresponsive and had to be killed.");
            }
            if (!Files.isRegularFile(file) || Files.size(file) == 0) {
                throw new DesktopException(500, "Recording failed. The output file is missing or empty.");
            }
            return file;
        } catch (IOException e) {
            throw new DesktopException(500, "Recording failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DesktopException(500, "interrupted");
        }
    }

    private static boolean nonEmpty(Path file) {
        try {
            return Files.isRegularFile(file) && Files.size(file) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads ffmpeg's messages to their end on a thread of their own, keeping the last {@link #KEPT_MESSAGE_BYTES}. */
    private static Messages keepTail(java.io.InputStream from) {
        StringBuilder kept = new StringBuilder();
        Thread reader = new Thread(() -> {
            byte[] buffer = new byte[4096];
            try (from) {
                for (int n; (n = from.read(buffer)) >= 0;) {
                    synchronized (kept) {
                        kept.append(new String(buffer, 0, n, java.nio.charset.StandardCharsets.UTF_8));
                        if (kept.length() > KEPT_MESSAGE_BYTES) {
                            kept.delete(0, kept.length() - KEPT_MESSAGE_BYTES);
                        }
                    }
                }
            } catch (IOException e) {
                // the pipe closed with the process
            }
        }, "ffmpeg-messages");
        reader.setDaemon(true);
        reader.start();
        return new Messages(kept, reader);
    }

    /** Kills a running recording and deletes its file: the next worker finds no recording state (reset, stop). */
    @PreDestroy
    public synchronized void abandon() {
        if (ffmpeg != null) {
            HostProcesses.killTree(ffmpeg.toHandle());
            ffmpeg = null;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot delete the recording " + file, e);
        }
    }
}
