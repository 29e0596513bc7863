package io.envgrid.gateway.smcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.gateway.smcp.SmcpGateways.Tight;
import io.envgrid.gateway.support.SocketIoDriver;
import io.envgrid.testsupport.fuzz.Gen;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * Seeded hostile frames ({@link SmcpFrames}, the {@code test-support} generators) at the A2C-SMCP server of the
 * tight-bounds replica, over polling and over WebSocket, before and after the namespace connect. Per case: no HTTP
 * answer is a 5xx; a frame over the payload bound closes its connection (413 for a POST). Every
 * {@value #CHECK_EVERY} cases and at the end: the replica is live, and a bystander agent and Computer, connected
 * before the first case, still complete a call (other connections are unaffected). Seed {@code 20261130}, another with
 * {@code -Dfuzz.seed=}; {@code -Dfuzz.smcp.cases=} cases (default 300). A failure names the seed, the case and the
 * frames as sent.
 */
class SmcpFuzzIT extends SmcpClients {

    private static final long SEED = Long.getLong("fuzz.seed", 20261130L);
    private static final int CASES = Integer.getInteger("fuzz.smcp.cases", 300);
    private static final int CHECK_EVERY = 20;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private String url;
    private String agent;
    private String computer;

    @Test
    void hostileFramesNeverFailTheServerNorTouchOtherConnections() throws Exception {
        url = gateways.tight().url();
        bystanders();
        SmcpFrames frames = new SmcpFrames(Tight.MAX_PAYLOAD);
        Gen<List<String>> batches = frames.frames().list(1, 4);
        SplittableRandom random = new SplittableRandom(SEED);
        int polling = 0;
        int websocket = 0;
        int sent = 0;
        int closedByBound = 0;
        for (int n = 0; n < CASES; n++) {
            List<String> batch = batches.next(random);
            boolean connect = random.nextBoolean();
            boolean overWebSocket = random.nextBoolean();
            String what = "smcp fuzz, seed " + SEED + " (replay: -Dfuzz.seed=" + SEED + "), case " + n + ", "
                    + (overWebSocket ? "websocket" : "polling") + (connect ? " after connect" : " before connect")
                    + ", frames " + List.copyOf(batch.stream().map(f -> f.length() > 200 ? f.substring(0, 200) + "…(" + f.length() + ")" : f).toList());
            boolean bound = batch.stream().anyMatch(frames::oversized);
            if (overWebSocket) {
                websocket++;
                closedByBound += webSocketCase(batch, connect, bound, what) ? 1 : 0;
            } else {
                polling++;
                closedByBound += pollingCase(batch, connect, bound, what) ? 1 : 0;
            }
            sent += batch.size();
            if ((n + 1) % CHECK_EVERY == 0) {
                unaffected("after case " + n + ": " + what);
            }
        }
        unaffected("at the end");
        System.out.printf("smcp fuzz: %d cases (%d polling, %d websocket), %d frames, 0 5xx, %d connections closed by the payload bound%n",
                CASES, polling, websocket, sent, closedByBound);
        assertTrue(closedByBound > 0, "the generator reached the payload bound at least once");
    }

    /** An agent and a Computer in one office on the replica under test, connected before any hostile frame. */
    private void bystanders() {
        String office = Offices.office();
        agent = offices.connect("fuzz-agent-" + run, url, "0.5.0");
        computer = offices.connect("fuzz-box-" + run, url, "0.5.0");
        offices.join(agent, "agent", agent, office);
        offices.join(computer, "computer", computer, office);
        driver.serve(computer, "client:get_tools", SocketIoDriver.array().add(Offices.noTools()), 0);
    }

    private void unaffected(String when) throws Exception {
        HttpResponse<String> live = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/q/health/live")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, live.statusCode(), "the replica is live " + when);
        assertEquals(SocketIoDriver.array().add(Offices.noTools()),
                Offices.acked(driver.emit(agent, "client:get_tools", Offices.ACK_MS, Offices.call(agent, computer))),
                "the bystanders still talk " + when);
    }

    /** Answers whether the payload bound closed the session. */
    private boolean pollingCase(List<String> batch, boolean connect, boolean bound, String what) {
        RawEngine raw = new RawEngine(url);
        String sid = connect ? raw.connect(SmcpGateways.TOKEN) : RawEngine.sid(raw.handshake());
        boolean closedByBound = false;
        for (String frame : batch) {
            RawEngine.Answer answer = raw.post(sid, frame);
            assertTrue(answer.status() < 500, what + ": " + answer);
            if (answer.status() == 413) {
                closedByBound = true;
                RawEngine.Answer after = raw.post(sid, "3");
                assertEquals(400, after.status(), what + ": the session is closed after a 413, yet " + after);
                break;
            }
            if (answer.status() != 200) {
                break; // the connection is gone (closed by an earlier frame): nothing more to send on it
            }
        }
        if (bound && !closedByBound) {
            // an oversized frame after one that closed the session: that session is gone all the same
            assertEquals(400, raw.post(sid, "3").status(), what + ": an oversized frame left the session open");
        }
        RawEngine.Answer close = raw.post(sid, "1");
        assertTrue(close.status() < 500, what + ": " + close);
        return closedByBound;
    }

    private boolean webSocketCase(List<String> batch, boolean connect, boolean bound, String what) {
        try (RawWebSocket ws = connect ? RawWebSocket.connected(url, SmcpGateways.TOKEN) : RawWebSocket.open(url)) {
            for (String frame : batch) {
                if (ws.closedWithin(0)) {
                    break;
                }
                // a WebSocket text frame is UTF-8: lone surrogates go as '?' (polling sends the same bytes)
                ws.text(new String(frame.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
            }
            if (bound) {
                assertTrue(ws.closedWithin(10_000), what + ": an oversized frame left the connection open");
                return true;
            }
            return false;
        } catch (CompletionException e) {
            // a send on a connection the server has just closed (after an earlier frame of the batch)
            return false;
        }
    }
}
