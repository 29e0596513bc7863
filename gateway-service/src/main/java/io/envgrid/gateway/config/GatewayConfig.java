package io.envgrid.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The gateway's own settings ({@code envgrid.gateway.*}); the URLs of the services it calls are in {@link Backends}. */
@ConfigMapping(prefix = "envgrid.gateway")
public interface GatewayConfig {

    /**
     * Prefix of the gateway's Redis keys: a hash tag of its own, not the allocator's, so on Redis Cluster the
     * gateway's keys (one slot: its scripts touch several) need not share a master with the allocator's cells.
     */
    @WithDefault("{envgrid-gw}:")
    String keyPrefix();

    /**
     * The allocator's key prefixes, comma-separated: its {@code envgrid.allocator.key-prefix} and, with cells,
     * each cell's ({@code envgrid.allocator.cells.<cell>.key-prefix}); the gateway hears lease expiries on the
     * {@code ch:expired} channel under each, so they must be configured alike.
     */
    @WithDefault("{envgrid}:")
    List<String> allocatorKeyPrefix();

    Mcp mcp();

    Auth auth();

    Leases leases();

    Downstream downstream();

    Rag rag();

    Sandbox sandbox();

    Tools tools();

    TaskDownloads taskDownloads();

    Desktop desktop();

    /** How the desktop tools treat what they forward. */
    interface Desktop {
        /**
         * {@code off}: the {@code pyautogui} tool's code goes to the desktop as it is (an OSWorld VM runs any Python);
         * {@code subset}: it is compiled first with the device agent's subset ({@code pyautogui-subset}) and code
         * outside it is refused with 400 {@code INVALID_PARAMETERS} (line and column) before any backend call.
         */
        @WithDefault("off")
        PyautoguiCheck pyautoguiCheck();
    }

    /** Values of {@link Desktop#pyautoguiCheck()}. */
    enum PyautoguiCheck {
        /** Forward every code string; the desktop decides. */
        OFF,
        /** Refuse code outside the pyautogui subset up front. */
        SUBSET
    }

    /**
     * The {@code download} steps of OSWorld task set-ups: the gateway fetches each URL under the fetch tool's rules
     * (hosts, redirects checked hop by hop, the checked address connected to) and hands the bytes to the vm-controller.
     */
    interface TaskDownloads {
        /** Hosts a download may reach; {@code *} is any public address (the fetch tool's {@code allowed_hosts}). */
        @WithDefault("*")
        List<String> allowedHosts();

        /**
         * The most bytes one desktop's task may download, all its files together (they travel base64-encoded in one
         * request to the controller, whose body limit is 32 MiB); more: 400, and nothing of the task runs.
         */
        @WithDefault("16777216")
        int maxBytes();

        /** The most files one desktop's task may download (each is one fetch); more: 400 before any is fetched. */
        @WithDefault("64")
        int maxFiles();

        @WithDefault("60s")
        Duration timeout();
    }

    interface Tools {
        /**
         * Check every tool result against the tool's output schema (a mismatch becomes an
         * INTERNAL_ERROR); on in the tests, off in production, where it would cost a validation per call.
         */
        @WithDefault("false")
        boolean checkOutput();
    }

    interface Mcp {
        /** An MCP session unused this long ends, and with it its worker's leases (when it was the worker's last). */
        @WithDefault("10m")
        Duration sessionIdleTimeout();

        /**
         * Resource subscriptions one MCP session may hold at once ({@code resources/subscribe}); one
         * more is refused with {@code -32004} until the client unsubscribes. Each is a field of the
         * session's Redis record and a check per notification, so a client cannot grow either without bound.
         */
        @WithDefault("64")
        int maxSubscriptions();

        /** How often each replica looks for idle sessions. */
        @WithDefault("5s")
        Duration sweepInterval();

        /** Host header names accepted (DNS-rebinding defence); {@code *} accepts any. */
        @WithDefault("localhost,127.0.0.1,[::1]")
        List<String> allowedHosts();

        /** Browser origins accepted (scheme and host; any port); requests without an Origin are not from a browser. */
        @WithDefault("http://localhost,http://127.0.0.1")
        List<String> allowedOrigins();

        /** Seed 000 registers its system tools hidden; they stay callable. */
        @WithDefault("false")
        boolean hideSystemTools();

        /** Period of progress notifications during long tool calls. */
        @WithDefault("1s")
        Duration progressInterval();

        /** Comment lines keeping idle legacy SSE streams open through proxies. */
        @WithDefault("15s")
        Duration sseKeepAlive();
    }

    interface Auth {
        /**
         * {@code envgrid.gateway.auth} itself ({@code ENVGRID_GATEWAY_AUTH}): {@code tokens} (the default)
         * wants a fixed token or a signing secret configured and refuses to start without one;
         * {@code open} runs without tokens, every caller acting as any worker (logged at start as a
         * warning; the local cluster of {@code ./envgrid up} and the tests). Both at once is refused too.
         */
        @WithParentName
        @WithDefault("tokens")
        Mode mode();

        /** The two ways the gateway admits callers. */
        enum Mode {
            TOKENS, OPEN
        }

        /**
         * Bearer tokens accepted on /mcp, /sse, /messages and the Sandbox API, each
         * {@code <token>=<principal>[:<pattern>;<pattern>...]} (the worker ids it may act as; without
         * patterns exactly the principal); without them and a signing secret the gateway starts only with
         * {@code envgrid.gateway.auth=open}.
         */
        Optional<List<String>> tokens();

        /** Secret for signed, expiring tokens ({@code egw2.…} from {@code mint-token}, and the older {@code egw1.…}); none means off. */
        Optional<String> signingSecret();

        /**
         * How often each replica reloads the revoked token ids from Redis ({@code RevokedTokens}): the revocation
         * message reaches a replica at once, this bounds how long one that missed it (its subscription was down)
         * still accepts a revoked token at connect and on HTTP.
         */
        @WithDefault("10s")
        Duration revocationRefresh();
    }

    interface Leases {
        /** Lease length asked for when the gateway renews a live session's leases. */
        @WithDefault("600")
        int renewTimeoutSeconds();

        /** How often the leases of workers with a live MCP session are renewed (one replica does it per period). */
        @WithDefault("30s")
        Duration keepaliveInterval();

        /**
         * Unsettled allocations this replica's settle sweeper settles at once (each claimed, asked once, handed back);
         * the others wait in Redis for a place on any replica, each asked again 4 s after its last unanswered attempt
         * until its mark lapses. Bounds the calls a long outage makes (they share the allocator's bulkhead). 0: this
         * replica settles only before answering, and leaves the rest to the other replicas (logged at start: with 0 on
         * every replica nothing is settled after the answer and the index keeps those entries).
         */
        @WithDefault("64")
        int backgroundSettles();

        /**
         * How long a replica's claim on an unsettled allocation lasts from its last lengthening (before each of its
         * attempts before the failure is answered, and every third of it while a call is queued or in flight): another
         * replica takes it over once it lapses, so this is how long a replica that dies while settling delays it. It need
         * not outlast a call: the claim is kept alive for as long as the call waits; it must outlast a third of itself
         * plus one Redis round trip.
         */
        @WithDefault("45s")
        Duration settleClaim();

        /** How often each replica's settle sweeper reads the unsettled allocations that are due. */
        @WithDefault("1s")
        Duration settleSweepInterval();

        /**
         * Marks of unsettled allocations this replica keeps in memory because Redis refused them (or did not answer),
         * each written by its settle sweeper once Redis takes writes again, until the mark would have lapsed; from then
         * on any replica settles it. Beyond this many, a failed allocation whose mark cannot be written is asked only
         * before its failure is answered (logged, counted {@code gave_up}).
         */
        @WithDefault("10000")
        int unwrittenMarks();
    }

    interface Downstream {
        @WithDefault("2s")
        Duration connectTimeout();

        /** Deadline of calls that only read or book-keep (allocation without waiting, release, search). */
        @WithDefault("10s")
        Duration timeout();

        /** Deadline of calls that act on a desktop (the controller's own VM deadline is 120 s). */
        @WithDefault("130s")
        Duration actionTimeout();

        /** Concurrent calls in flight to one backend; more wait in its queue, beyond that they are refused. */
        @WithDefault("256")
        int bulkhead();

        @WithDefault("1024")
        int bulkheadQueue();

        /** Retries of idempotent calls whose backend did not answer. */
        @WithDefault("2")
        int retries();

        @WithDefault("20")
        int breakerVolume();

        @WithDefault("0.5")
        double breakerFailureRatio();

        @WithDefault("5s")
        Duration breakerDelay();
    }

    interface Rag {
        /**
         * The collection {@code rag_search} names when the call names none and the worker holds no rag lease: keep it
         * equal to rag-service's {@code envgrid.rag.default-collection}. Sent by name, so the lease check and the search
         * are about the same collection whatever rag-service's own default is.
         */
        @WithDefault("default")
        String defaultCollection();
    }

    interface Sandbox {
        /** The Sandbox API's profile (JSON, seeds 002/003); none: the one shipped in the application. */
        Optional<String> profile();
    }
}
