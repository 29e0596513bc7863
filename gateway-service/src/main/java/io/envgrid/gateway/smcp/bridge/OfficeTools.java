package io.envgrid.gateway.smcp.bridge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.smcp.office.CallOutcome;
import io.envgrid.gateway.smcp.office.ClientCalls;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.quarkus.redis.datasource.value.SetArgs;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The tools of an office's Computers: {@code client:get_tools} to each Computer in the office (through
 * {@link ClientCalls}, so a Computer on another replica answers too), named by {@link ExposedNames}. The answers are
 * kept in Redis for every replica, under a version counter that {@link #invalidate} raises whenever the office's tools
 * may have changed (a {@code notify:update_tool_list}, a Computer entering or leaving): a listing is used only while
 * its version is the current one, so one that raced a change is never served. A Computer that does not answer within
 * the gateway's read deadline ({@code envgrid.gateway.downstream.timeout}), or whose {@code client:get_tools} a cap on
 * calls in flight refused ({@link ClientCalls#relay}: a listing is one caller, asking that many Computers at once),
 * contributes no tools, and that listing is not kept; nor is that of an office without Computers.
 */
@ApplicationScoped
public class OfficeTools {

    private static final Logger LOG = Logger.getLogger(OfficeTools.class);
    /** How long a listing is kept at most; changes invalidate it sooner. */
    private static final Duration KEPT = Duration.ofMinutes(5);
    /** The agent name of the bridge's own {@code client:get_tools}; a Computer uses it only to key the request. */
    private static final String LISTING_AGENT = "mcp-bridge";

    private final ClientCalls calls;
    private final BridgeKeys keys;
    private final ReactiveValueCommands<String, String> values;
    private final ObjectMapper json;
    private final ExposedNames names;
    private final long listTimeoutMs;

    public OfficeTools(ClientCalls calls, BridgeKeys keys, ReactiveRedisDataSource redis, ObjectMapper json,
            ExposedNames names, GatewayConfig config) {
        this.calls = calls;
        this.keys = keys;
        this.values = redis.value(String.class);
        this.json = json;
        this.names = names;
        this.listTimeoutMs = config.downstream().timeout().toMillis();
    }

    /** The office's Computer tools, as a bound session sees them (empty for an office without Computers). */
    public Uni<List<ComputerTool>> tools(String officeId) {
        String versionKey = keys.toolsVersion(officeId);
        String toolsKey = keys.tools(officeId);
        return values.mget(versionKey, toolsKey).chain(stored -> {
            String version = stored.get(versionKey) == null ? "0" : stored.get(versionKey);
            ObjectNode kept = parse(stored.get(toolsKey));
            if (kept != null && version.equals(kept.path("version").asText())) {
                return Uni.createFrom().item(names.assign(byComputer(kept.path("computers"))));
            }
            return fetch(officeId, version).map(listing -> names.assign(byComputer(listing.path("computers"))));
        });
    }

    /** The office's tools may have changed: every replica lists them anew on its next use. */
    public Uni<Void> invalidate(String officeId) {
        return values.incr(keys.toolsVersion(officeId)).replaceWithVoid();
    }

    /** Asks every Computer of the office; keeps the listing under {@code version} when every one answered. */
    private Uni<ObjectNode> fetch(String officeId, String version) {
        // one listing is one caller of the office's calls: its own per-caller cap, so it asks that many at once
        String caller = LISTING_AGENT + ":" + UUID.randomUUID();
        return calls.computers(officeId)
                .onItem().transformToMulti(names -> Multi.createFrom().iterable(names))
                .onItem().transformToUni(name -> toolsOf(caller, officeId, name).map(tools -> Map.entry(name, tools)))
                .merge(calls.maxPendingPerCaller())
                .collect().asList()
                .chain(answers -> {
                    ObjectNode listing = json.createObjectNode().put("version", version);
                    ObjectNode computers = listing.putObject("computers");
                    boolean complete = true;
                    for (Map.Entry<String, ArrayNode> answer : answers) {
                        if (answer.getValue() == null) {
                            complete = false;
                        } else {
                            computers.set(answer.getKey(), answer.getValue());
                        }
                    }
                    // an office without Computers costs one HGETALL to list again; keeping it would leave a key
                    // behind for every office id anyone ever bound to
                    return complete && !answers.isEmpty() ? values.set(keys.tools(officeId), listing.toString(), new SetArgs().px(KEPT))
                            .replaceWith(listing) : Uni.createFrom().item(listing);
                });
    }

    /**
     * One Computer's {@code SMCPTool}s; null when it did not answer with a tool list (no answer, gone, or a cap on
     * calls in flight reached: then it lists nothing this time and the listing is not kept).
     */
    private Uni<ArrayNode> toolsOf(String caller, String officeId, String computer) {
        ObjectNode request = json.createObjectNode().put("agent", LISTING_AGENT)
                .put("req_id", UUID.randomUUID().toString()).put("computer", computer);
        return calls.relay(caller, officeId, computer, "client:get_tools", request, listTimeoutMs, null).map(outcome -> {
            ArrayNode tools = outcome.on(new CallOutcome.Cases<>() {
                @Override
                public ArrayNode answered(CallOutcome.Answered answered) {
                    return answered.args().path(0).path("tools") instanceof ArrayNode listed ? listed : null;
                }

                @Override
                public ArrayNode gone(CallOutcome.Gone gone) {
                    return null;
                }

                @Override
                public ArrayNode saturated(CallOutcome.Saturated saturated) {
                    return null;
                }

                @Override
                public ArrayNode timedOut(CallOutcome.TimedOut timedOut) {
                    return null;
                }
            });
            if (tools == null) {
                LOG.debugf("Computer '%s' of office '%s' listed no tools: %s", computer, officeId, outcome);
            }
            return tools;
        });
    }

    private static SortedMap<String, List<JsonNode>> byComputer(JsonNode computers) {
        SortedMap<String, List<JsonNode>> out = new TreeMap<>();
        computers.fields().forEachRemaining(e -> {
            List<JsonNode> tools = new ArrayList<>();
            e.getValue().forEach(tools::add);
            out.put(e.getKey(), tools);
        });
        return out;
    }

    private ObjectNode parse(String text) {
        if (text == null) {
            return null;
        }
        try {
            return json.readTree(text) instanceof ObjectNode o ? o : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
