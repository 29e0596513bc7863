package io.envgrid.deviceagent.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.envgrid.deviceagent.support.AgentPrivileges;
import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.deviceagent.support.FleetDesktops;
import io.envgrid.deviceagent.support.FleetLeases;
import io.envgrid.deviceagent.support.FleetLeases.Lease;
import io.envgrid.deviceagent.support.WithAllocator;
import io.envgrid.deviceagent.support.WithFleetDesktops;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Hostile review 13, F2/F3/F5: everything a hosted desktop's worker writes (home, {@code /tmp}, {@code /var/tmp},
 * {@code /dev/shm}, {@code /run/lock}) is on a file system of its own of {@code limits.max-disk} (8 MiB here): the
 * filler gets {@code ENOSPC} there, the other desktop's reset still succeeds, and its own reset gives the space back.
 * The recording is bounded in size and time, its ffmpeg runs in the desktop's control group and leaves no file (not
 * the MP4, not a log in {@code /tmp}) after the reset.
 */
@QuarkusTest
@WithAllocator
@WithFleetDesktops
@TestProfile(DesktopDiskTest.SmallDisk.class)
class DesktopDiskTest {

    private static final long DISK = 8L * 1024 * 1024;
    private static final long RECORDING_BYTES = 64L * 1024;

    /** Small bounds, so that reaching them costs little. */
    public static class SmallDisk implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("envgrid.device-agent.desktops.limits.max-disk", "8m",
                    "envgrid.device-agent.desktop.recording-max-size", "64k",
                    "envgrid.device-agent.desktop.recording-max-duration", "4s");
        }
    }

    @Test
    void aWorkerFillingItsDiskGetsEnospcThereAndTheOtherDesktopStillResets() {
        assumeTrue(AgentPrivileges.isRoot(), "needs root: the agent mounts the desktops' file systems");
        FleetLeases.awaitAllFree();
        Lease filler = FleetLeases.allocate("worker-filling");
        Lease other = FleetLeases.allocate("worker-beside");
        try {
            // 64 MiB asked: the home stops at the desktop's bound (without it: the host's disk takes all of it)
            String home = fill(filler, "$HOME/fill");
            assertTrue(home.contains("No space left on device"), home);
            assertTrue(bytesOf(filler, "$HOME/fill") <= DISK, home);
            for (String shared : List.of("/tmp", "/var/tmp", "/dev/shm", "/run/lock")) {
                String answer = FleetLeases.output(filler.shell("rm -f $HOME/fill; dd if=/dev/zero of=" + shared
                        + "/fill bs=1M count=64 2>&1; echo; df -B1 --output=size " + shared + " | tail -1"));
                assertTrue(answer.contains("No space left on device"), shared + ": " + answer);
                long size = Long.parseLong(answer.strip().lines().reduce((a, b) -> b).orElseThrow().strip());
                assertTrue(size <= DISK, shared + " is a file system of " + size + " bytes");
            }
            assertEquals(List.of(), hostFilesOf(filler), "files of the filler's uid in the host's shared directories");
            fill(filler, "$HOME/fill"); // full again, and held full while the other desktop resets

            // the other desktop's reset (cookie, home from the template, X server) runs while the filler is full
            FleetLeases.release(other);
            Conditions.await(() -> "free".equals(FleetLeases.state(other.resourceId())), "the other desktop reset",
                    Duration.ofSeconds(60));
            Lease again = FleetLeases.allocate("worker-beside-again");
            try {
                assertEquals(other.resourceId(), again.resourceId());
                assertEquals("from the template", FleetLeases.output(again.shell("cat ~/template.txt")).strip());
                FleetLeases.output(again.shell("dd if=/dev/zero of=/tmp/room bs=1M count=4"));
            } finally {
                FleetLeases.release(again);
            }
        } finally {
            FleetLeases.release(filler);
        }
        // its own reset gives the space back
        Conditions.await(() -> "free".equals(FleetLeases.state(filler.resourceId())), "the filler's desktop reset",
                Duration.ofSeconds(60));
        FleetLeases.awaitAllFree();
        Lease next = FleetLeases.allocate("worker-after-the-filler");
        Lease second = FleetLeases.allocate("worker-after-the-filler-2");
        try {
            Lease same = next.resourceId().equals(filler.resourceId()) ? next : second;
            assertEquals("gone", FleetLeases.output(same.shell("ls ~/fill /tmp/fill 2>/dev/null || echo gone")).strip());
            FleetLeases.output(same.shell("dd if=/dev/zero of=$HOME/room bs=1M count=6 && rm $HOME/room"));
        } finally {
            FleetLeases.release(next);
            FleetLeases.release(second);
        }
    }

    @Test
    void theRecordingIsBoundedRunsInTheDesktopsGroupAndLeavesNothingAfterTheReset() throws Exception {
        assumeTrue(AgentPrivileges.isRoot(), "needs root: the agent makes the desktops' control groups");
        FleetLeases.awaitAllFree();
        long started = System.currentTimeMillis();
        Lease worker = FleetLeases.allocate("worker-recording");
        String index = worker.resourceId().substring(worker.resourceId().lastIndexOf('-') + 1);
        try {
            worker.call().post("/start_recording").then().statusCode(200);
            Conditions.await(() -> ffmpegOf(index).isPresent(), "the desktop's ffmpeg", Duration.ofSeconds(10));
            long pid = ffmpegOf(index).orElseThrow();
            String workersGroup = memoryGroupLine(FleetLeases.output(worker.shell("cat /proc/self/cgroup")));
            assertEquals(workersGroup, memoryGroupLine(Files.readString(Path.of("/proc/" + pid + "/cgroup"))),
                    "ffmpeg in the desktop's memory group");
            // it ends by itself at its bound (4 s, 64 KiB), the file finished; without a bound it runs on
            Conditions.await(() -> ProcessHandle.of(pid).isEmpty(), "ffmpeg ended at its bound", Duration.ofSeconds(20));
            byte[] video = worker.call().post("/end_recording").then().statusCode(200).extract().asByteArray();
            System.out.printf("desktop disk: the bounded recording has %d bytes%n", video.length);
            assertTrue(video.length > 0 && video.length <= RECORDING_BYTES + 16 * 1024, "recording of " + video.length);
        } finally {
            FleetLeases.release(worker);
        }
        Conditions.await(() -> "free".equals(FleetLeases.state(worker.resourceId())), "reset and free",
                Duration.ofSeconds(60));
        try (Stream<Path> run = Files.walk(FleetDesktops.HOMES)) {
            assertEquals(List.of(), run.filter(p -> p.getFileName().toString().endsWith(".mp4")).toList(),
                    "recordings after the reset");
        }
        try (Stream<Path> logs = Files.list(Path.of("/tmp"))) {
            assertEquals(List.of(), logs.filter(p -> p.getFileName().toString().startsWith("envgrid-ffmpeg"))
                    .filter(p -> p.toFile().lastModified() >= started - 1000).toList(), "ffmpeg logs left in /tmp");
        }
    }

    /** Writes 64 MiB of zeros to {@code file} as the worker; {@code dd}'s messages. */
    private static String fill(Lease lease, String file) {
        return lease.shell("dd if=/dev/zero of=" + file + " bs=1M count=64 2>&1").then().statusCode(200).extract()
                .path("output");
    }

    private static long bytesOf(Lease lease, String file) {
        return Long.parseLong(FleetLeases.output(lease.shell("stat -c %s " + file)).strip());
    }

    /** What the worker's uid owns at the top of the host's {@code /tmp}, {@code /var/tmp}, {@code /dev/shm}. */
    private static List<String> hostFilesOf(Lease lease) {
        String uid = FleetLeases.output(lease.shell("id -u")).strip();
        return Stream.of("/tmp", "/var/tmp", "/dev/shm", "/run/lock").map(Path::of).filter(Files::isDirectory)
                .flatMap(dir -> {
                    try (Stream<Path> entries = Files.list(dir)) {
                        return entries.filter(p -> uid.equals(owner(p))).map(Path::toString).toList().stream();
                    } catch (IOException e) {
                        return Stream.of();
                    }
                }).toList();
    }

    private static String owner(Path path) {
        try {
            return Files.getAttribute(path, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS).toString();
        } catch (IOException e) {
            return "";
        }
    }

    /** The pid of the ffmpeg recording desktop {@code index}, found by its output file on that desktop's disk. */
    private static Optional<Long> ffmpegOf(String index) {
        String recording = FleetDesktops.HOMES.resolve(".disk").resolve("desktop-" + index).toString();
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            return processes.filter(p -> p.getFileName().toString().matches("\\d+")).filter(p -> {
                try {
                    String line = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    return line.startsWith("ffmpeg\0") && line.contains(recording + "/");
                } catch (IOException gone) {
                    return false;
                }
            }).map(p -> Long.parseLong(p.getFileName().toString())).findFirst();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The memory controller's line of a {@code /proc/<pid>/cgroup} (v1: {@code n:memory:/path}; v2: {@code 0::/path}). */
    private static String memoryGroupLine(String cgroups) {
        return cgroups.lines().filter(line -> line.contains(":memory:") || line.startsWith("0::")).sorted()
                .reduce((a, b) -> a.contains(":memory:") ? a : b).orElse("").replaceFirst("^\\d+:", "");
    }
}
