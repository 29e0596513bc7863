package io.envgrid.gateway.smcp.office;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.cluster.Replica;
import io.envgrid.gateway.redis.KeptSubscription;
import io.envgrid.gateway.smcp.SmcpKeys;
import io.envgrid.gateway.smcp.socketio.NamespaceSocket;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Reaches a member wherever it is connected: directly when it is on this replica, else through its replica's Redis
 * channel. Socket.IO adapters do not carry acknowledgements of directed emits between nodes, so a relayed
 * {@code client:*} call is an application-level request and reply on the channels, keyed by a call id.
 *
 * <p>Channel messages (JSON): {@code {op:"emit",sid,event,payload}}, {@code {op:"call",id,from,sid,event,payload,
 * timeout_ms,progress?}}, {@code {op:"reply",id,args}}, {@code {op:"reply",id,gone:true}} or {@code {op:"reply",id,saturated:true,scope,limit}};
 * a call that times out gets no reply. A tool call that asked for progress ({@code progress:true}) may be followed,
 * until its reply, by {@code {op:"progress",id,payload}}: the Computer's {@code server:tool_call_progress} reports,
 * routed by the Computer's replica to the caller's ({@link #progress}).
 *
 * <p>A {@code notify:*} published while the channel's subscription was lost never arrives. Once subscribed again, each
 * local member in an office is brought up to date: told of who left or entered since what it was
 * last told ({@link Member#told}), and of an update of each Computer there, since a lost update cannot be told apart
 * from none.
 */
@ApplicationScoped
public class ReplicaBus {

    private static final Logger LOG = Logger.getLogger(ReplicaBus.class);

    private final Map<String, Member> local = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<CallOutcome>> calls = new ConcurrentHashMap<>();
    /** Progress listeners of this replica's calls to other replicas, by call id. */
    private final Map<String, Consumer<JsonNode>> progressListeners = new ConcurrentHashMap<>();
    /** Where the progress of calls to this replica's Computers goes, by {@link #progressKey}. */
    private final Map<String, Consumer<JsonNode>> progressRoutes = new ConcurrentHashMap<>();
    private final ReactivePubSubCommands<String> pubsub;
    private final SmcpKeys keys;
    private final Replica replica;
    private final ObjectMapper json;
    private final Vertx vertx;
    private final OfficeDirectory directory;
    private Cancellable subscription;

    public ReplicaBus(ReactiveRedisDataSource redis, SmcpKeys keys, Replica replica, ObjectMapper json, Vertx vertx,
            OfficeDirectory directory) {
        this.directory = directory;
        this.pubsub = redis.pubsub(String.class);
        this.keys = keys;
        this.replica = replica;
        this.json = json;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) {
        subscription = KeptSubscription.keep(pubsub, "the SMCP replica bus", this::onChannel, () -> { },
                this::catchUp, keys.channel(replica.id()));
    }

    void stop(@Observes ShutdownEvent event) {
        if (subscription != null) {
            subscription.cancel();
        }
    }

    String replicaId() {
        return replica.id();
    }

    void register(Member member) {
        local.put(member.sid(), member);
    }

    void unregister(String sid) {
        local.remove(sid);
    }

    /** The members connected to this replica now. */
    Collection<Member> localMembers() {
        return local.values();
    }

    /** Emits an event to the member a record describes. */
    void emit(ObjectNode record, String event, JsonNode payload) {
        String sid = record.path("sid").asText();
        String owner = record.path("replica").asText();
        if (owner.equals(replica.id())) {
            Member member = local.get(sid);
            if (member != null) {
                member.heard(event, payload);
                member.socket.emit(event, payload);
            }
            return;
        }
        publish(owner, json.createObjectNode().put("op", "emit").put("sid", sid).put("event", event).set("payload", payload));
    }

    /**
     * Who is in {@code officeId} according to its {@code records}, but {@code exceptSid}: {@link Member#presenceKey}
     * → the presence payload ({@code {office_id, <role>: <name>}}) a {@code notify:enter_office} carries.
     */
    Map<String, ObjectNode> presences(String officeId, List<ObjectNode> records, String exceptSid) {
        Map<String, ObjectNode> out = new LinkedHashMap<>();
        for (ObjectNode r : records) {
            if (!r.path("sid").asText().equals(exceptSid)) {
                String role = r.path("role").asText();
                String name = r.path("name").asText();
                out.put(Member.presenceKey(role, name), json.createObjectNode().put("office_id", officeId).put(role, name));
            }
        }
        return out;
    }

    /**
     * The channel is subscribed again after a gap in which {@code notify:*} broadcasts to this replica's members may
     * have been lost: each office with local members is read once, and each of those members is told, as if the
     * notices had come, of every member gone ({@code notify:leave_office}) or new ({@code notify:enter_office})
     * since what it was last told, then of an update of each Computer there ({@link SmcpEvents#UPDATES}' notices),
     * which an agent answers by reading again. Nothing is recorded of the broadcasts themselves.
     */
    private void catchUp() {
        Map<String, List<Member>> byOffice = new HashMap<>();
        for (Member member : local.values()) {
            String office = member.officeId;
            if (office != null) {
                byOffice.computeIfAbsent(office, o -> new ArrayList<>()).add(member);
            }
        }
        byOffice.forEach((office, members) -> directory.members(office).subscribe().with(
                records -> members.forEach(member -> catchUp(member, office, records)),
                e -> LOG.warnf("SMCP catch-up of office '%s' failed: %s", office, e.getMessage())));
    }

    private void catchUp(Member member, String office, List<ObjectNode> records) {
        if (!office.equals(member.officeId) || !member.socket.connected()) {
            return; // it moved or went meanwhile: its new seat was seeded from the office then
        }
        Map<String, ObjectNode> now = presences(office, records, member.sid());
        for (Map.Entry<String, ObjectNode> was : Map.copyOf(member.told).entrySet()) {
            if (!now.containsKey(was.getKey()) && member.told.remove(was.getKey()) != null) {
                member.socket.emit(SmcpEvents.LEAVE_OFFICE_NOTICE, was.getValue());
            }
        }
        now.forEach((key, presence) -> {
            if (member.told.putIfAbsent(key, presence) == null) {
                member.socket.emit(SmcpEvents.ENTER_OFFICE_NOTICE, presence);
            }
        });
        Set<String> updates = new LinkedHashSet<>();
        SmcpEvents.UPDATES.values().forEach(updates::addAll);
        for (ObjectNode presence : now.values()) {
            JsonNode computer = presence.get("computer");
            if (computer != null) {
                ObjectNode notice = json.createObjectNode().put("computer", computer.asText());
                updates.forEach(event -> member.socket.emit(event, notice));
            }
        }
    }

    /**
     * Emits {@code event} to the member and waits up to {@code timeoutMs} for its acknowledgement; until then the
     * member's progress reports for the call ({@code payload}'s {@code agent} and {@code req_id}) go to
     * {@code progress} (null: none are routed).
     */
    CompletableFuture<CallOutcome> call(ObjectNode record, String event, JsonNode payload, long timeoutMs,
            Consumer<JsonNode> progress) {
        String sid = record.path("sid").asText();
        String owner = record.path("replica").asText();
        if (owner.equals(replica.id())) {
            return callHere(sid, event, payload, timeoutMs, progress);
        }
        String id = UUID.randomUUID().toString();
        CompletableFuture<CallOutcome> outcome = new CompletableFuture<>();
        calls.put(id, outcome);
        if (progress != null) {
            progressListeners.put(id, progress);
            outcome.whenComplete((r, e) -> progressListeners.remove(id));
        }
        long timer = vertx.setTimer(Math.max(1, timeoutMs), t -> {
            if (calls.remove(id) != null) {
                outcome.complete(new CallOutcome.TimedOut());
            }
        });
        outcome.whenComplete((r, e) -> vertx.cancelTimer(timer));
        ObjectNode message = json.createObjectNode().put("op", "call").put("id", id).put("from", replica.id())
                .put("sid", sid).put("event", event).put("timeout_ms", timeoutMs).put("progress", progress != null);
        message.set("payload", payload);
        publish(owner, message);
        return outcome;
    }

    /**
     * A progress report of a Computer on this replica ({@code report} carries the call's {@code agent} and
     * {@code req_id}) to whoever waits for that call; false when nobody does (no such call, or it asked for none).
     */
    boolean progress(String computerSid, JsonNode report) {
        Consumer<JsonNode> route = progressRoutes.get(progressKey(computerSid, report));
        if (route == null) {
            return false;
        }
        route.accept(report);
        return true;
    }

    /** Calls are known by Computer, agent and request id: two agents' {@code req_id}s may collide. */
    private static String progressKey(String computerSid, JsonNode call) {
        return computerSid + '\n' + call.path("agent").asText() + '\n' + call.path("req_id").asText();
    }

    private CompletableFuture<CallOutcome> callHere(String sid, String event, JsonNode payload, long timeoutMs,
            Consumer<JsonNode> progress) {
        Member member = local.get(sid);
        if (member == null || !member.socket.connected()) {
            return CompletableFuture.completedFuture(new CallOutcome.Gone());
        }
        String route = progress == null ? null : progressKey(sid, payload);
        if (route != null) {
            progressRoutes.put(route, progress);
        }
        CompletableFuture<ArrayNode> answer = member.socket.request(event, payload, timeoutMs);
        if (route != null) {
            answer.whenComplete((r, e) -> progressRoutes.remove(route, progress));
        }
        return answer
                .<CallOutcome>thenApply(CallOutcome.Answered::new)
                .exceptionally(e -> {
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (cause instanceof NamespaceSocket.Saturated saturated) {
                        return new CallOutcome.Saturated("computer", saturated.limit());
                    }
                    return member.socket.connected() ? new CallOutcome.TimedOut() : new CallOutcome.Gone();
                });
    }

    private void onChannel(String text) {
        ObjectNode message;
        try {
            message = (ObjectNode) json.readTree(text);
        } catch (JsonProcessingException | ClassCastException e) {
            LOG.warnf("a message on the SMCP channel is not a JSON object: %s", text);
            return;
        }
        switch (message.path("op").asText()) {
            case "emit" -> {
                Member member = local.get(message.path("sid").asText());
                if (member != null) {
                    String event = message.path("event").asText();
                    member.heard(event, message.get("payload"));
                    member.socket.emit(event, message.get("payload"));
                }
            }
            case "call" -> answerCall(message);
            case "reply" -> {
                CompletableFuture<CallOutcome> outcome = calls.remove(message.path("id").asText());
                if (outcome != null) {
                    outcome.complete(message.path("gone").asBoolean() ? new CallOutcome.Gone()
                            : message.path("saturated").asBoolean() ? new CallOutcome.Saturated(
                                    message.path("scope").asText("computer"), message.path("limit").asInt())
                            : new CallOutcome.Answered(message.get("args") instanceof ArrayNode a ? a : json.createArrayNode()));
                }
            }
            case "progress" -> {
                Consumer<JsonNode> listener = progressListeners.get(message.path("id").asText());
                if (listener != null) {
                    listener.accept(message.get("payload"));
                }
            }
            default -> LOG.warnf("unknown op on the SMCP channel: %s", text);
        }
    }

    /**
     * Makes a call another replica relayed ({@code {op:"call",…}}) to a member of this one and publishes its reply,
     * and the progress reports before it, to the caller's replica. A call's messages go out one after another, each
     * once the previous one is published: publishes may take different Redis connections, and a report overtaken by
     * the reply would be dropped there.
     */
    private void answerCall(ObjectNode message) {
        String from = message.path("from").asText();
        String id = message.path("id").asText();
        AtomicReference<CompletableFuture<Void>> sent = new AtomicReference<>(CompletableFuture.completedFuture(null));
        Consumer<JsonNode> progress = !message.path("progress").asBoolean() ? null
                : report -> sent.updateAndGet(previous -> previous.thenCompose(v -> publishOrdered(from,
                        json.createObjectNode().put("op", "progress").put("id", id).set("payload", report))));
        callHere(message.path("sid").asText(), message.path("event").asText(), message.get("payload"),
                message.path("timeout_ms").asLong(), progress).thenAccept(outcome -> {
                    ObjectNode reply = json.createObjectNode().put("op", "reply").put("id", id);
                    ObjectNode answer = outcome.on(new CallOutcome.Cases<>() {
                        @Override
                        public ObjectNode answered(CallOutcome.Answered answered) {
                            return reply.set("args", answered.args());
                        }

                        @Override
                        public ObjectNode gone(CallOutcome.Gone gone) {
                            return reply.put("gone", true);
                        }

                        @Override
                        public ObjectNode saturated(CallOutcome.Saturated saturated) {
                            return reply.put("saturated", true).put("scope", saturated.scope()).put("limit", saturated.limit());
                        }

                        @Override
                        public ObjectNode timedOut(CallOutcome.TimedOut timedOut) {
                            return null; // the caller's own timer answers (with silence)
                        }
                    });
                    if (answer != null) {
                        sent.get().whenComplete((v, e) -> publish(from, answer));
                    }
                });
    }

    private void publish(String replicaId, ObjectNode message) {
        publishOrdered(replicaId, message);
    }

    /** Publishes; the stage completes once Redis took the message (also when it failed: that is logged). */
    private CompletableFuture<Void> publishOrdered(String replicaId, ObjectNode message) {
        return pubsub.publish(keys.channel(replicaId), message.toString())
                .onFailure().invoke(e -> LOG.warnf("SMCP relay to replica %s failed: %s", replicaId, e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid().subscribeAsCompletionStage();
    }
}
