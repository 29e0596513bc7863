package io.envgrid.deploycheck.image;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waiting on child processes: a condition polled until it holds (a process answering HTTP has no event to
 * wait on), and stopping one the way Kubernetes does.
 */
final class Await {

    private static final long POLL_NANOS = Duration.ofMillis(100).toNanos();

    private Await() {
    }

    /**
     * @throws IllegalStateException naming {@code what} when the condition does not hold within the timeout
     */
    static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " did not happen within " + timeout);
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    /**
     * Waits until {@code GET uri} answers 200.
     *
     * @throws IllegalStateException when the process exits first (naming its log) or time runs out
     */
    static void untilHttpOk(String what, URI uri, Duration timeout, Process process, Path log) {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest get = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build();
        until(what, timeout, () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException(what + ": the process exited with " + process.exitValue() + "; see " + log);
            }
            try {
                return http.send(get, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
    }

    /** SIGTERM, then SIGKILL if it has not exited within 10 s. */
    static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
