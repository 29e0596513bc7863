package io.envgrid.allocator.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.allocator.error.ApiException;
import io.envgrid.allocator.error.ErrorCode;
import io.vertx.redis.client.impl.types.ErrorType;
import org.junit.jupiter.api.Test;

/** Which Redis error replies are the caller's "retry" (503) and which a broken script (500). */
class ScriptRunnerFailureTest {

    private static ApiException mapped(String reply) {
        return (ApiException) ScriptRunner.toApiFailure(ErrorType.create(reply));
    }

    @Test
    void waitOnADemotedMasterIsUnavailableNotAnInternalError() {
        // the reply Redis 7 gives to WAIT on a replica, as cluster-test's SoakIT met it right after a Sentinel failover
        ApiException e = mapped("ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a "
                + "replica is configured to be writable (which is not the default) writes to replicas are just local and are "
                + "not propagated.");
        assertEquals(503, e.status());
        assertEquals(ErrorCode.REDIS_UNAVAILABLE, e.code());
    }

    @Test
    void aReadOnlyReplicaIsUnavailable() {
        ApiException e = mapped("READONLY You can't write against a read only replica.");
        assertEquals(503, e.status());
    }

    @Test
    void aConnectionClosedUnderTheCallIsUnavailable() {
        // the Vert.x client's error for a command in flight when the master died (cluster-test's SoakIT, 2026-12-01)
        ApiException e = mapped("CONNECTION_CLOSED");
        assertEquals(503, e.status());
        assertEquals(ErrorCode.REDIS_UNAVAILABLE, e.code());
    }

    @Test
    void anyOtherErrorReplyIsAFaultOfTheScript() {
        ApiException e = mapped("ERR user_script:12: attempt to compare nil with number");
        assertEquals(500, e.status());
        assertEquals(ErrorCode.INTERNAL_ERROR, e.code());
    }

    @Test
    void onlyACallInFlightWhenItsConnectionBrokeMayHaveRun() {
        assertTrue(ScriptRunner.mayHaveRun(ScriptRunner.toApiFailure(ErrorType.create("CONNECTION_CLOSED"))));
        assertTrue(ScriptRunner.mayHaveRun(ScriptRunner.toApiFailure(new java.util.concurrent.TimeoutException("late"))));
        assertTrue(ScriptRunner.mayHaveRun(new ApiException(503, ErrorCode.REPLICATION_TIMEOUT, "0 of 1 replicas")));
        assertFalse(ScriptRunner.mayHaveRun(
                mapped("NOREPLICAS Not enough good replicas to write. script: 4f2e, on @user_script:323.")));
        assertFalse(ScriptRunner.mayHaveRun(ScriptRunner.toApiFailure(
                new RuntimeException(new java.net.ConnectException("Connection refused")))));
    }
}
