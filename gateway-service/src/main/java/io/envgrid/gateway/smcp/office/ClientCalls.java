package io.envgrid.gateway.smcp.office;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.smcp.SmcpConfig;
import io.envgrid.gateway.smcp.handshake.Generation;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * What agents and Computers say to each other through the server: {@code client:*} calls relayed to the named
 * Computer of the caller's office (tool calls with their own {@code timeout}), {@code server:tool_call_cancel} →
 * {@code notify:tool_call_cancel}, and a Computer's {@code server:update_*} → {@code notify:update_*}; every notice
 * goes to the office without its sender.
 *
 * <p>A call is resolved only inside the caller's office in both generations: a Computer elsewhere is "not found"
 * (404). The 0.4 reference looked names up globally and gave no ack for one in another office, which left the agent
 * waiting for its timeout and told it the name exists elsewhere. Only principals entitled to an office sit in it
 * ({@link RoomEvents}), and the caller's entitlement is checked again on every call. The relayed payload names the
 * caller by its session name ({@code agent}, and the seed's {@code robot_id}), whatever the payload claimed.
 *
 * <p>Bounds: a {@code client:tool_call} waits its {@code timeout} seconds but at most {@code max-call-timeout} (the
 * relayed {@code timeout} is clamped too); a {@code timeout} that is not a positive number is a bad payload (0.5: 400;
 * 0.4: no ack, as the reference's validation error). A caller with {@code max-pending-calls-per-socket} calls
 * waiting, an office with {@code max-pending-calls-per-office} on this replica, or a Computer owing that many
 * answers refuse one more with the flat {@code {code:429, message, details:{limit, scope}}}.
 *
 * <p>Progress (envgrid's extension, {@link SmcpEvents#PROGRESS_FLAG}): a tool call with {@code envgrid_progress: true}
 * has the Computer's {@code server:tool_call_progress} reports for it relayed to the calling agent alone as
 * {@code notify:tool_call_progress}, until the call is answered; reports for other calls are dropped.
 */
@ApplicationScoped
public class ClientCalls {

    private final OfficeDirectory directory;
    private final OfficeMembership membership;
    private final ReplicaBus bus;
    private final ObjectMapper json;
    private final Acks acks;
    private final long relayTimeoutMs;
    private final long maxCallTimeoutMs;
    private final PendingCalls pending;

    public ClientCalls(OfficeDirectory directory, OfficeMembership membership, ReplicaBus bus, ObjectMapper json,
            SmcpConfig config) {
        this.directory = directory;
        this.membership = membership;
        this.bus = bus;
        this.json = json;
        this.acks = new Acks(json);
        this.relayTimeoutMs = config.relayTimeout().toMillis();
        this.maxCallTimeoutMs = config.maxCallTimeout().toMillis();
        this.pending = new PendingCalls(config.maxPendingCallsPerSocket(), config.maxPendingCallsPerOffice());
    }

    /**
     * A {@code client:*} call: checked, then relayed to the Computer; the returned work ends once the call is on its
     * way (the answer is awaited outside the member's queue, so an agent may have many calls running).
     */
    Uni<Void> call(Member member, String event, ArrayNode args, Long ackId) {
        boolean v5 = member.generation == Generation.V0_5;
        ObjectNode req = v5 ? Payloads.only(args) : Payloads.first(args);
        String computer = Payloads.text(req, "computer");
        String target = SmcpEvents.CLIENT_CALLS.get(event);
        Long timeoutMs = timeoutOf(target, req);
        if (computer == null || (v5 && Payloads.text(req, "req_id") == null) || timeoutMs == null) {
            if (v5) {
                acks.error(member, ackId, 400, "Invalid request payload", null);
            }
            return done();
        }
        if (!"agent".equals(member.role)) {
            if (v5) {
                acks.error(member, ackId, 403, "Only agents may issue client:* calls", null);
            }
            return done();
        }
        if (member.officeId == null) {
            if (v5) {
                acks.error(member, ackId, 4103, "Not in any room", null);
            }
            return done();
        }
        String office = member.officeId;
        if (!OfficeCoverage.covers(member.principal, office)) {
            acks.value(member, ackId, notFound(computer)); // as for any Computer the caller may not reach
            return done();
        }
        ObjectNode relayed = req.deepCopy();
        relayed.put("agent", member.name);
        if (relayed.has("robot_id")) {
            relayed.put("robot_id", member.name); // the seed's name of the field
        }
        if (SmcpEvents.TOOL_CALL.equals(target) && timeoutMs == maxCallTimeoutMs && relayed.has("timeout")) {
            // clamped (whole seconds, as the protocol has it): the Computer need not wait longer either
            relayed.put("timeout", Math.max(1, maxCallTimeoutMs / 1000));
        }
        Consumer<JsonNode> progress = SmcpEvents.TOOL_CALL.equals(target) && relayed.path(SmcpEvents.PROGRESS_FLAG).asBoolean()
                ? report -> member.socket.emit(SmcpEvents.TOOL_CALL_PROGRESS_NOTICE, report) : null;
        // the answer is awaited outside the member's queue: the returned work ends once the call is sent
        return send(member.sid(), "socket", office, computer, target, relayed, timeoutMs, progress)
                .invoke(outcome -> outcome.thenAccept(o -> o.on(new CallOutcome.Cases<Void>() {
                    @Override
                    public Void answered(CallOutcome.Answered answered) {
                        if (ackId != null) {
                            member.socket.ack(ackId, toArray(answered.args()));
                        }
                        return null;
                    }

                    @Override
                    public Void gone(CallOutcome.Gone gone) {
                        acks.value(member, ackId, notFound(computer));
                        return null;
                    }

                    @Override
                    public Void saturated(CallOutcome.Saturated saturated) {
                        acks.value(member, ackId, tooMany(saturated));
                        return null;
                    }

                    @Override
                    public Void timedOut(CallOutcome.TimedOut timedOut) {
                        return null; // as the reference: the timeout escapes, the agent gets no ack, a late answer is dropped
                    }
                }))).replaceWithVoid();
    }

    /**
     * Admits a call of {@code caller} into {@code office} ({@link PendingCalls}; refused: {@link CallOutcome.Saturated}
     * of {@code callerScope} or the office) and sends it to the Computer; the item is the outcome to come, complete at
     * once when refused or the Computer is not in the office. The call stays counted until that outcome, also when
     * whoever waits for it stops waiting: the Computer may still answer, and this replica still holds the call.
     */
    private Uni<CompletableFuture<CallOutcome>> send(String caller, String callerScope, String office, String computer,
            String event, JsonNode payload, long timeoutMs, Consumer<JsonNode> progress) {
        Optional<CallOutcome.Saturated> refused = pending.admit(caller, callerScope, office);
        if (refused.isPresent()) {
            return Uni.createFrom().item(CompletableFuture.completedFuture(refused.get()));
        }
        AtomicBoolean counted = new AtomicBoolean(true);
        Runnable release = () -> {
            if (counted.compareAndSet(true, false)) {
                pending.release(caller, office);
            }
        };
        AtomicBoolean handedOver = new AtomicBoolean();
        return findComputer(office, computer).map(record -> {
            handedOver.set(true);
            if (record == null) {
                release.run();
                return CompletableFuture.<CallOutcome>completedFuture(new CallOutcome.Gone());
            }
            CompletableFuture<CallOutcome> outcome = bus.call(record, event, payload, timeoutMs, progress);
            outcome.whenComplete((r, e) -> release.run());
            return outcome;
        }).onFailure().invoke(release).onCancellation().invoke(() -> {
            if (!handedOver.get()) {
                release.run(); // cancelled before it was sent
            }
        });
    }

    private ObjectNode tooMany(CallOutcome.Saturated saturated) {
        return acks.error(429, "Too many calls in flight", json.createObjectNode().put("limit", saturated.limit())
                .put("scope", saturated.scope()));
    }

    /** {@code server:tool_call_cancel {agent, req_id}} → {@code notify:tool_call_cancel} to the office; never an error. */
    Uni<Void> cancel(Member member, ArrayNode args, Long ackId) {
        acks.empty(member, ackId);
        boolean v5 = member.generation == Generation.V0_5;
        ObjectNode req = v5 ? Payloads.only(args) : Payloads.first(args);
        String agent = Payloads.text(req, "agent");
        String reqId = Payloads.text(req, "req_id");
        if (reqId == null || member.officeId == null || !"agent".equals(member.role)) {
            return done();
        }
        if (!v5 && !member.name.equals(agent)) {
            return done(); // 0.4 drops a cancel that names another agent
        }
        // 0.5 puts the session's own name in, whatever the payload said
        ObjectNode notice = json.createObjectNode().put("agent", member.name).put("req_id", reqId);
        return membership.broadcast(member.officeId, member.sid(), SmcpEvents.TOOL_CALL_CANCEL_NOTICE, notice);
    }

    /**
     * A Computer's {@code server:tool_call_progress {agent, req_id, progress, total?, message?}} → the caller of that
     * call, as {@code {agent, req_id, progress, total?, message?}} (nothing else of the payload is passed on). Dropped
     * when the sender is no Computer in an office, the payload is not a report, or no call of this Computer with that
     * agent and {@code req_id} asked for progress: a Computer reaches only the callers it owes an answer.
     */
    Uni<Void> progress(Member member, ArrayNode args, Long ackId) {
        acks.empty(member, ackId);
        ObjectNode req = Payloads.first(args);
        if (req == null || member.officeId == null || !"computer".equals(member.role)
                || Payloads.text(req, "agent") == null || Payloads.text(req, "req_id") == null
                || !req.path("progress").isNumber()) {
            return done();
        }
        ObjectNode report = json.createObjectNode().put("agent", req.get("agent").asText())
                .put("req_id", req.get("req_id").asText());
        report.set("progress", req.get("progress"));
        if (req.path("total").isNumber()) {
            report.set("total", req.get("total"));
        }
        if (req.path("message").isTextual()) {
            report.set("message", req.get("message"));
        }
        bus.progress(member.sid(), report);
        return done();
    }

    /**
     * A Computer's {@code server:update_*} notice → its {@code notify:*} events to the office, naming the sender's
     * session (both generations; a 0.4 payload without {@code computer} is dropped, as the reference's validation).
     */
    Uni<Void> update(Member member, String event, ArrayNode args, Long ackId) {
        acks.empty(member, ackId);
        boolean v5 = member.generation == Generation.V0_5;
        ObjectNode req = v5 ? Payloads.only(args) : Payloads.first(args);
        String computer = Payloads.text(req, "computer");
        if (member.officeId == null || !"computer".equals(member.role) || (!v5 && computer == null)) {
            return done();
        }
        // the session's name, not what the payload claims, in 0.4 too: the 0.4 reference passed the payload's name on,
        // so a Computer could announce changes of another (0.5 #216 closed it; SDK Computers send their own name)
        ObjectNode notice = json.createObjectNode().put("computer", member.name);
        List<String> notices = SmcpEvents.UPDATES.get(event);
        Uni<Void> sent = done();
        for (String notify : notices) {
            sent = sent.chain(() -> membership.broadcast(member.officeId, member.sid(), notify, notice));
        }
        return sent;
    }

    /**
     * A {@code client:*} call made for a caller that is not a Socket.IO member (the MCP bridge, {@code smcp.bridge}):
     * {@code request} ({@code {agent, req_id, computer, …}}) relayed verbatim as {@code event} to the Computer named
     * {@code computer} in {@code officeId}, on whichever replica it is connected, waiting up to {@code timeoutMs}.
     * Counted like an agent's calls: {@code caller} (an MCP session) may have {@code max-pending-calls-per-socket}
     * waiting (one more: {@link CallOutcome.Saturated} of scope {@code "session"}), the office
     * {@code max-pending-calls-per-office} on this replica ({@code "office"}). A Computer not (or no longer) in the
     * office is {@link CallOutcome.Gone}. Cancelling the returned work stops the wait, not the call's count (see
     * {@link #send}). Until the answer, the Computer's progress reports for the call ({@code server:tool_call_progress},
     * as {@code {agent, req_id, progress, total?, message?}}) go to {@code progress} (null: the call asked for none).
     */
    public Uni<CallOutcome> relay(String caller, String officeId, String computer, String event, ObjectNode request,
            long timeoutMs, Consumer<JsonNode> progress) {
        return send(caller, "session", officeId, computer, event, request, timeoutMs, progress)
                // a dependent stage: cancelling the wait must not cancel the call itself (ReplicaBus keeps its timer)
                .chain(outcome -> Uni.createFrom().completionStage(outcome.thenApply(o -> o)));
    }

    /** How many calls one caller may have waiting ({@code max-pending-calls-per-socket}). */
    public int maxPendingPerCaller() {
        return pending.maxPerCaller();
    }

    /** The names of the Computers sitting in an office now, on every replica, sorted. */
    public Uni<List<String>> computers(String officeId) {
        return directory.members(officeId).map(members -> members.stream()
                .filter(m -> "computer".equals(m.path("role").asText())).map(m -> m.path("name").asText())
                .sorted().toList());
    }

    /**
     * {@code notify:tool_call_cancel {agent, req_id}} to one Computer of the office (a bridge call's cancel: the
     * bridge is no member, so the rest of the office has no business hearing it); nothing when it has left.
     */
    public Uni<Void> cancelAt(String officeId, String computer, String agent, String reqId) {
        ObjectNode notice = json.createObjectNode().put("agent", agent).put("req_id", reqId);
        return findComputer(officeId, computer).invoke(record -> {
            if (record != null) {
                bus.emit(record, SmcpEvents.TOOL_CALL_CANCEL_NOTICE, notice);
            }
        }).replaceWithVoid();
    }

    private Uni<ObjectNode> findComputer(String officeId, String name) {
        return directory.members(officeId).map(members -> members.stream()
                .filter(m -> "computer".equals(m.path("role").asText()) && name.equals(m.path("name").asText()))
                .findFirst().orElse(null));
    }

    /**
     * How long the call waits, in ms: a tool call's {@code timeout} (seconds) clamped to {@code max-call-timeout}, the
     * relay timeout for other calls or without one; null when a tool call's {@code timeout} is not a positive number.
     */
    private Long timeoutOf(String event, ObjectNode req) {
        JsonNode timeout = req == null ? null : req.get("timeout");
        if (!SmcpEvents.TOOL_CALL.equals(event) || timeout == null || timeout.isNull()) {
            return relayTimeoutMs;
        }
        if (!timeout.isNumber() || !(timeout.asDouble() > 0)) {
            return null;
        }
        double ms = timeout.asDouble() * 1000;
        return ms >= maxCallTimeoutMs ? maxCallTimeoutMs : Math.max(1, (long) ms);
    }

    private ObjectNode notFound(String computer) {
        return acks.error(404, "Computer with name '" + computer + "' not found",
                json.createObjectNode().put("computer_name", computer));
    }

    private static JsonNode[] toArray(ArrayNode args) {
        JsonNode[] out = new JsonNode[args.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = args.get(i);
        }
        return out;
    }

    private static Uni<Void> done() {
        return Uni.createFrom().voidItem();
    }
}
