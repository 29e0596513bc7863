package io.envgrid.allocator.lease;

import static io.envgrid.allocator.support.Api.allocate;
import static io.envgrid.allocator.support.Api.registerPool;
import static io.envgrid.allocator.support.Api.release;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.envgrid.allocator.support.Api;
import io.envgrid.allocator.support.CleanRedis;
import io.envgrid.allocator.support.Conditions;
import io.envgrid.allocator.support.RawConnection;
import io.envgrid.allocator.support.WithRedis;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A client that closes its connection (a real TCP close on a raw socket) is never granted anything:
 * its waiting ticket is withdrawn, and a grant that races the close is released at once, audited as
 * {@code abandon}.
 */
@QuarkusTest
@WithRedis
class ClientGoneTest extends CleanRedis {

    @Test
    void aWaiterWhoseClientClosedIsNotGrantedWhatIsReleasedLater() {
        registerPool("rag", 1);
        allocate("holder", List.of("rag"), 60).statusCode(200);
        RawConnection.awaitNoOtherRequest("the requests sent before are ended");

        // A wait far longer than any condition below: only noticing the close can end it in time.
        RawConnection waiter = RawConnection.open().sendJson("/allocate",
                "{\"worker_id\":\"vanished\",\"resource_types\":[\"rag\"],\"wait_ms\":120000}");
        Conditions.await(() -> redis.sortedSet(String.class).zcard("{envgrid}:q:rag") == 1, "the waiter is queued");
        waiter.close();
        RawConnection.awaitNoOtherRequest("the server saw the connection close");
        Conditions.await(() -> redis.sortedSet(String.class).zcard("{envgrid}:q:rag") == 0
                && redis.sortedSet(String.class).zcard("{envgrid}:tickets") == 0, "the vanished waiter's ticket is withdrawn");

        release("holder", "rag-1").statusCode(200);
        Api.stats().body("types.rag.free", equalTo(1)).body("types.rag.leased", equalTo(0));
        assertEquals(List.of(), auditKindsFor("vanished"), "nothing was granted to the vanished client");
        // The resource is really free: a new request gets it at once.
        allocate("next", List.of("rag"), 60).statusCode(200).body("rag.id", equalTo("rag-1"));
    }

    @Test
    void aGrantThatRacesTheCloseIsReleasedAndAuditedAsAbandoned() {
        registerPool("rag", 1);
        RawConnection.awaitNoOtherRequest("the requests sent before are ended");
        // Holds every writing command (scripts included) in Redis, so the allocation's script is
        // sent but answers only after the client has gone: the grant happens, its delivery cannot.
        redis.execute("CLIENT", "PAUSE", "10000", "WRITE");
        try {
            RawConnection client = RawConnection.open().sendJson("/allocate",
                    "{\"worker_id\":\"racer\",\"resource_types\":[\"rag\"],\"request_id\":\"race-1\"}");
            Conditions.await(RawConnection::otherRequestInFlight, "the server is handling the allocation");
            client.close();
            RawConnection.awaitNoOtherRequest("the server saw the connection close");
        } finally {
            redis.execute("CLIENT", "UNPAUSE");
        }
        Conditions.await(() -> auditKindsFor("racer").equals(List.of("grant", "abandon")),
                "the grant to the vanished client is followed by its abandonment");
        Api.stats().body("types.rag.free", equalTo(1)).body("types.rag.leased", equalTo(0));
        assertEquals(0, redis.key().exists("{envgrid}:req:race-1") ? 1 : 0,
                "the undelivered answer is not kept for the request_id");
        // A retry of the same request is decided afresh, and gets the resource with the next fence.
        Api.post("/allocate", Map.of("worker_id", "racer", "resource_types", List.of("rag"), "request_id", "race-1"))
                .statusCode(200).header("X-Envgrid-Replayed", "false").body("rag.fencing_token", equalTo(2));
    }
}
