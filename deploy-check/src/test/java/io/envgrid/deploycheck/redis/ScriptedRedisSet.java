package io.envgrid.deploycheck.redis;

import io.envgrid.testsupport.process.PackagedApp;
import io.envgrid.testsupport.redis.RedisBinary;
import io.envgrid.testsupport.redis.Resp;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The prod overlay's Redis Sentinel set (k8s/components/redis-sentinel) run by its own scripts, {@code redis.sh}
 * for each of three data nodes and {@code sentinel.sh} for each of three sentinels, as loopback processes: the
 * scripts' environment points them at 127.0.0.1 and free ports instead of the pods' names (their defaults). The
 * programs are Redis' own: {@code redis-server} and {@code redis-sentinel} (links to the test harness' binary) and
 * {@code redis-cli} from PATH (Debian's redis-tools, which {@code ./envgrid test} installs).
 */
final class ScriptedRedisSet implements AutoCloseable {

    static final String PASSWORD = "scripted-redis-set";
    private static final int SENTINELS = 3;
    private static final int DATA_NODES = 3;

    private final Path scripts;
    private final Path dir;
    private final Path bin;
    private final List<Integer> sentinelPorts = new ArrayList<>();
    private final List<Integer> nodePorts = new ArrayList<>();
    private final Map<Integer, Process> processes = new HashMap<>();

    private ScriptedRedisSet(Path scripts, Path dir) throws IOException {
        this.scripts = scripts;
        this.dir = dir;
        this.bin = Files.createDirectories(dir.resolve("bin"));
        for (String name : List.of("redis-server", "redis-sentinel")) {
            Files.deleteIfExists(bin.resolve(name));
            Files.createSymbolicLink(bin.resolve(name), RedisBinary.server());
        }
        if (RedisBinary.onPath("redis-cli").isEmpty()) {
            throw new IllegalStateException("redis-cli is not on PATH: the scripts need it (Debian's redis-tools,"
                    + " which ./envgrid test installs)");
        }
        for (int i = 0; i < SENTINELS; i++) {
            sentinelPorts.add(PackagedApp.freePort());
        }
        for (int i = 0; i < DATA_NODES; i++) {
            nodePorts.add(PackagedApp.freePort());
        }
    }

    /** Starts the six processes at once, as a StatefulSet's pods start on a first deployment. */
    static ScriptedRedisSet start(Path scripts, Path dir) throws IOException {
        ScriptedRedisSet set = new ScriptedRedisSet(scripts, dir);
        Runtime.getRuntime().addShutdownHook(new Thread(set::close));
        for (int port : set.sentinelPorts) {
            set.startSentinel(port);
        }
        for (int node = 0; node < DATA_NODES; node++) {
            set.startNode(node);
        }
        return set;
    }

    List<Integer> nodePorts() {
        return nodePorts;
    }

    List<Integer> sentinelPorts() {
        return sentinelPorts;
    }

    Path dataDir(int node) {
        return dir.resolve("node-" + node + "/data");
    }

    Path conf(int node) {
        return dir.resolve("node-" + node + "/run/redis.conf");
    }

    /** {@code redis.sh} for data node {@code node} (0 is pod 0, the first master), its files under node-i/. */
    void startNode(int node) throws IOException {
        Path home = dir.resolve("node-" + node);
        Files.createDirectories(home.resolve("data"));
        Files.createDirectories(home.resolve("run"));
        launch(nodePorts.get(node), "redis.sh", home.resolve("redis.log"), Map.of(
                "REDIS_ANNOUNCE", "127.0.0.1",
                "REDIS_PORT", Integer.toString(nodePorts.get(node)),
                "REDIS_DATA_DIR", home.resolve("data").toString(),
                "REDIS_RUN_DIR", home.resolve("run").toString()));
    }

    /** SIGKILL of data node {@code node}'s script and its redis-server, as a pod's container killed outright. */
    void killNode(int node) {
        kill(processes.get(nodePorts.get(node))).forEach(p -> p.onExit().join());
    }

    /** SIGKILL of a script and what it started; returns them all. */
    private static List<ProcessHandle> kill(Process script) {
        List<ProcessHandle> tree = new ArrayList<>(script.descendants().toList());
        tree.add(script.toHandle());
        tree.forEach(ProcessHandle::destroyForcibly);
        return tree;
    }

    /** A command to a data node or a sentinel (both require the password). */
    Object call(int port, String... command) {
        return Resp.callWithPassword(port, PASSWORD, command);
    }

    private void startSentinel(int port) throws IOException {
        Path home = Files.createDirectories(dir.resolve("sentinel-" + port));
        launch(port, "sentinel.sh", home.resolve("sentinel.log"), Map.of(
                "SENTINEL_ANNOUNCE", "127.0.0.1",
                "SENTINEL_PORT", Integer.toString(port),
                "SENTINEL_RUN_DIR", home.toString()));
    }

    private void launch(int port, String script, Path log, Map<String, String> own) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("sh", scripts.resolve(script).toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = builder.environment();
        env.put("PATH", bin + File.pathSeparator + env.getOrDefault("PATH", ""));
        env.put("REDIS_PASSWORD", PASSWORD);
        env.put("REDISCLI_AUTH", PASSWORD);
        env.put("REDIS_SENTINELS", sentinelPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(" ")));
        env.put("REDIS_FIRST_MASTER", "127.0.0.1 " + nodePorts.get(0));
        env.putAll(own);
        processes.put(port, builder.start());
    }

    @Override
    public synchronized void close() {
        processes.values().forEach(ScriptedRedisSet::kill);
    }

    static void deleteTree(Path root) {
        try (var paths = Files.walk(root)) {
            paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
