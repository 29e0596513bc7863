package io.envgrid.deviceagent.fleet;

import io.envgrid.deviceagent.process.HostProcesses;
import io.envgrid.deviceagent.process.ProcessOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Commands of the network tests run inside a {@link DesktopNetwork} (through its enter prefix): started ones are kept
 * until {@link #close}, which ends them, and run ones are waited for (10 s at most).
 */
final class NamespacedProcesses implements AutoCloseable {

    private final List<Process> started = new ArrayList<>();

    /** Starts {@code command} in {@code network}, its output discarded; ended by {@link #close}. */
    Process start(DesktopNetwork network, List<String> command) throws IOException {
        Process process = new ProcessBuilder(entered(network, command)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        started.add(process);
        return process;
    }

    /** Runs {@code command} in {@code network} to its end: its exit code and output. */
    static ProcessOutcome run(DesktopNetwork network, List<String> command) {
        return HostProcesses.run(entered(network, command), null, Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
                Duration.ofSeconds(10));
    }

    /** The network namespace of process {@code pid} ({@code net:[<inode>]}), or {@code (gone)} once it has exited. */
    static String namespaceOf(long pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "net")).toString();
        } catch (IOException e) {
            return "(gone)";
        }
    }

    private static List<String> entered(DesktopNetwork network, List<String> command) {
        List<String> entered = new ArrayList<>(network.enterPrefix());
        entered.addAll(command);
        return entered;
    }

    /** Ends every process started. */
    @Override
    public void close() {
        started.forEach(Process::destroyForcibly);
    }
}
