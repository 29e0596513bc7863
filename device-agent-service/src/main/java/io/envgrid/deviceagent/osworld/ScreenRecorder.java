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
 * stopped with SIGINT so ffmpeg finishes the MP4, which is handed back.
 */
@ApplicationScoped
public class ScreenRecorder {

    private final XDisplay display;
    private final XInput input;
    private final Path file;
    private Process ffmpeg;

    @jakarta.inject.Inject
    public ScreenRecorder(XDisplay display, XInput input, DeviceAgentConfig config) {
        this(display, input, config.desktop().recordingFile().orElseGet(ScreenRecorder::privateFile));
    }

    /** A name in a new directory only the agent's uid may enter: no worker can have made it a link beforehand. */
    static Path privateFile() {
        try {
            return Files.createTempDirectory("envgrid-recording").resolve("recording.mp4");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot make the recording's directory", e);
        }
    }

    /** A hosted desktop's recorder, writing to its own {@code file}. */
    public ScreenRecorder(XDisplay display, XInput input, Path file) {
        this.display = display;
        this.input = input;
        this.file = file;
    }

    public synchronized void start() {
        if (ffmpeg != null && ffmpeg.isAlive()) {
            throw new DesktopException(400, "Recording is already in progress.");
        }
        XInput.ScreenSize size = input.screenSize();
        try {
            Files.deleteIfExists(file);
            Path log = Files.createTempFile("envgrid-ffmpeg", ".log");
            ProcessBuilder builder = new ProcessBuilder("ffmpeg", "-y", "-f", "x11grab", "-draw_mouse", "1",
                    "-s", size.width() + "x" + size.height(), "-i", display.require(),
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", "-r", "30", file.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().putAll(display.environment()); // a hosted display admits only its cookie's holders
            ffmpeg = builder.start();
            ffmpeg.getOutputStream().close();
            // ffmpeg that cannot open the display or the encoder exits at once; OSWorld waits 2 s for that too
            if (ffmpeg.waitFor(2, TimeUnit.SECONDS)) {
                String error = Files.readString(log);
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

    /** Stops the recording and returns the MP4 file. */
    public synchronized Path stop() {
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
