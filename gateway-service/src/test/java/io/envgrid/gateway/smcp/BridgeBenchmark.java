package io.envgrid.gateway.smcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.gateway.bench.BenchMain;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Tool-call round trips through the MCP bridge next to the same MCP server called directly, in one run and by one
 * client (the official MCP TypeScript SDK, {@code tools/mcp-client/bench.mjs}): {@code {computer}.everything__echo} through the
 * first gateway replica's {@code /mcp} (session bound to the office) → the second replica → the device agent as
 * Computer (0.5.0) → {@code @modelcontextprotocol/server-everything} over stdio, and {@code echo} of a
 * server-everything the client starts itself over stdio. Each cell: {@code bench.smcp.concurrency} loops on one
 * session in a closed loop for {@code bench.warmup} then {@code bench.measure} seconds. Prints calls/s, p50, p99.
 *
 * <p>Run with {@code cd gateway-service && mvn -B -Pbench verify -Dbench.gateway.skip=true} (the other modules
 * packaged first).
 */
public final class BridgeBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SCRIPT = Path.of("..", "tools", "mcp-client", "bench.mjs").toAbsolutePath().normalize();

    private BridgeBenchmark() {
    }

    public static void main(String[] args) {
        BenchMain.run(BridgeBenchmark::measure);
    }

    private static void measure() throws IOException, InterruptedException {
        SmcpGateways gateways = SmcpGateways.get();
        try (EverythingComputer computer = EverythingComputer.start("bench-" + UUID.randomUUID().toString().substring(0, 8),
                Offices.office(), gateways.second.url(), "0.5.0")) {
            List<String> command = List.of("node", SCRIPT.toString(), "--url", gateways.first.url() + "/mcp",
                    "--header", "Authorization: Bearer " + SmcpGateways.TOKEN, "--office", computer.office,
                    "--tool", computer.name + ".everything__echo", "--direct-tool", "echo", "--command", EverythingComputer.NODE.toString(),
                    "--args", JSON.writeValueAsString(List.of(EverythingComputer.ENTRY.toString(), "stdio")),
                    "--warmup", System.getProperty("bench.warmup", "5"), "--measure", System.getProperty("bench.measure", "10"),
                    "--concurrency", System.getProperty("bench.smcp.concurrency", "1,8"));
            Process node = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!node.waitFor(30, TimeUnit.MINUTES) || node.exitValue() != 0) {
                throw new IllegalStateException("bench.mjs failed (exit " + node.exitValue() + "): " + out);
            }
            List<JsonNode> cells = new ArrayList<>();
            for (String line : out.split("\n")) {
                if (!line.isBlank()) {
                    cells.add(JSON.readTree(line));
                }
            }
            print(cells);
        }
    }

    private static void print(List<JsonNode> cells) {
        System.out.println();
        System.out.println("| target | concurrency | calls/s | p50 ms | p99 ms | errors |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        for (JsonNode c : cells) {
            System.out.println(String.format(Locale.ROOT, "| %s | %d | %.0f | %.2f | %.2f | %d |", c.path("target").asText(),
                    c.path("concurrency").asInt(), c.path("perSecond").asDouble(), c.path("p50").asDouble(),
                    c.path("p99").asDouble(), c.path("errors").asInt()));
        }
    }
}
