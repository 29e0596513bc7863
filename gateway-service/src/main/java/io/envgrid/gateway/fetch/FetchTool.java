package io.envgrid.gateway.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.sandbox.profile.ApiToolKind;
import io.envgrid.gateway.tool.Args;
import io.envgrid.gateway.tool.ExactInteger;
import io.envgrid.gateway.tool.Schema;
import io.envgrid.gateway.tool.Tool;
import io.envgrid.gateway.tool.ToolAnnotations;
import io.envgrid.gateway.tool.ToolCall;
import io.envgrid.gateway.tool.ToolResult;
import io.envgrid.gateway.tool.ToolScope;
import io.envgrid.gateway.tool.ToolSpec;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code fetch}: GET a web page or file and return it as text (HTML reduced to its readable text).
 * Configured by the profile's {@code apis.fetch}: which hosts (see {@link HostPolicy}), at most
 * how many bytes, within what deadline. Redirects are followed by hand, each hop checked like the
 * first, and the connection goes to the address that was checked (no second DNS answer).
 */
final class FetchTool implements Tool {

    static final int DEFAULT_MAX_BYTES = 1 << 20;
    static final int DEFAULT_TIMEOUT_MS = 10_000;
    private static final int MAX_REDIRECTS = 5;
    private static final Pattern CHARSET = Pattern.compile("(?i)charset=\"?([\\w.:-]+)");
    private static final ToolSpec SPEC = new ToolSpec(ApiToolKind.FETCH.toolName(),
            "GET a web page or file: {url, max_chars} -> {url, final_url, status, content_type, title, text, "
                    + "truncated}; HTML comes back as its readable text, binary content as base64",
            Schema.object()
                    .string("url", "http(s) URL to GET", true)
                    .integer("max_chars", "Longest text returned (default 20000)", false, 1, 1_000_000)
                    .build(),
            Schema.output().typed("url", "The URL asked for", true, "string")
                    .typed("status", "The HTTP status of the last hop", true, "integer").build(),
            ToolAnnotations.READ, ToolScope.NONE, false, ApiToolKind.FETCH.toolName());

    private final HttpClient http;
    private final HostPolicy hosts;
    private final int maxBytes;
    private final Duration timeout;
    private final String userAgent;
    private final HostBreakers breakers;

    FetchTool(HttpClient http, ObjectNode config, HostBreakers breakers) {
        this.http = http;
        this.breakers = breakers;
        List<String> allowed = new java.util.ArrayList<>();
        JsonNode listed = config.path("allowed_hosts");
        if (listed.isArray()) {
            listed.forEach(h -> allowed.add(h.asText()));
        } else {
            allowed.add("*");
        }
        this.hosts = new HostPolicy(allowed);
        // the profile check has made these whole numbers an int holds; read exactly all the same
        this.maxBytes = (int) Math.max(1, ExactInteger.of(config.get("max_bytes")).orElse(DEFAULT_MAX_BYTES));
        this.timeout = Duration.ofMillis(Math.max(100, ExactInteger.of(config.get("timeout_ms")).orElse(DEFAULT_TIMEOUT_MS)));
        this.userAgent = config.path("user_agent").asText("envgrid-fetch/0.1");
    }

    @Override
    public ToolSpec spec() {
        return SPEC;
    }

    @Override
    public Uni<ToolResult> call(ToolCall call) {
        Args args = call.args();
        URI uri = parse(args.string("url"));
        int maxChars = (int) args.integer("max_chars", 20_000);
        return fetch(uri, 0, maxBytes).map(page -> ToolResult.of(answer(uri, page, maxChars)));
    }

    /**
     * The body of {@code url} under this tool's rules, for a task's {@code download} step, read only while it stays
     * within {@code limit} bytes: empty when it passes them (the transfer is stopped there, nothing more is read). A
     * status other than 2xx is 502 {@code BACKEND_ERROR}; refused hosts and unreachable ones fail as {@code fetch} does.
     */
    Uni<Optional<byte[]>> download(String url, int limit) {
        return fetch(parse(url), 0, limit).map(page -> {
            if (page.status() / 100 != 2) {
                throw new ToolFailure(502, ErrorCode.BACKEND_ERROR, "GET " + url + " answered HTTP " + page.status(),
                        Map.of("url", url, "status", page.status()));
            }
            return page.truncated() ? Optional.empty() : Optional.of(page.body());
        });
    }

    private static URI parse(String url) {
        try {
            URI uri = new URI(url).normalize();
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                throw ToolFailure.invalid("'url' must be an absolute http or https URL");
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw ToolFailure.invalid("'url' is not a URL: " + e.getMessage());
        }
    }

    /** {@code uri} and its redirects, each body read up to {@code limit} bytes (then {@code truncated}). */
    private Uni<FetchedPage> fetch(URI uri, int redirects, int limit) {
        return resolve(uri).chain(address -> breakers.guarded(uri.getHost(), () -> send(uri, address, limit)))
                .chain(page -> {
                    if (page.location() == null) {
                        return Uni.createFrom().item(page);
                    }
                    if (redirects == MAX_REDIRECTS) {
                        throw new ToolFailure(502, ErrorCode.BACKEND_ERROR, "more than " + MAX_REDIRECTS + " redirects",
                                Map.of("url", uri.toString()));
                    }
                    return fetch(parse(uri.resolve(page.location()).toString()), redirects + 1, limit);
                });
    }

    /** DNS is blocking: it runs on a worker thread; the policy sees every address the name has. */
    private Uni<InetAddress> resolve(URI uri) {
        return Uni.createFrom().item(() -> {
            try {
                InetAddress[] addresses = InetAddress.getAllByName(uri.getHost());
                hosts.check(uri.getHost(), addresses);
                return addresses[0];
            } catch (UnknownHostException e) {
                throw new ToolFailure(502, ErrorCode.BACKEND_UNREACHABLE, "unknown host " + uri.getHost(),
                        Map.of("host", uri.getHost()));
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private Uni<FetchedPage> send(URI uri, InetAddress address, int limit) {
        int port = uri.getPort() > 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(uri.toString())
                .setServer(SocketAddress.inetSocketAddress(port, address.getHostAddress()))
                .setFollowRedirects(false)
                .putHeader("User-Agent", userAgent)
                .putHeader("Accept", "text/html,application/xhtml+xml,text/plain,application/json;q=0.9,*/*;q=0.5");
        AtomicReference<HttpClientRequest> inFlight = new AtomicReference<>();
        Uni<FetchedPage> exchange = Uni.createFrom().emitter(emitter -> {
            emitter.onTermination(() -> {
                HttpClientRequest request = inFlight.get();
                if (request != null) {
                    request.reset();
                }
            });
            http.request(options).compose(request -> {
                inFlight.set(request);
                return request.send();
            }).onFailure(e -> emitter.fail(new HostBreakers.Unreachable(uri.getHost(), e))).onSuccess(response -> {
                Buffer body = Buffer.buffer();
                String location = response.statusCode() / 100 == 3 ? response.getHeader("Location") : null;
                String type = response.getHeader("Content-Type");
                response.exceptionHandler(e -> emitter.fail(new HostBreakers.Unreachable(uri.getHost(), e)));
                response.handler(chunk -> {
                    if (body.length() + chunk.length() > limit) {
                        body.appendBuffer(chunk, 0, limit - body.length());
                        emitter.complete(new FetchedPage(uri, response.statusCode(), type, location, body.getBytes(), true));
                    } else {
                        body.appendBuffer(chunk);
                    }
                });
                response.endHandler(v -> emitter.complete(new FetchedPage(uri, response.statusCode(), type, location,
                        body.getBytes(), false)));
            });
        });
        return exchange.ifNoItem().after(timeout).failWith(() -> new HostBreakers.TimedOut(uri.getHost(), timeout));
    }

    private static JsonNode answer(URI requested, FetchedPage page, int maxChars) {
        ObjectNode answer = JsonNodeFactory.instance.objectNode()
                .put("url", requested.toString())
                .put("final_url", page.uri().toString())
                .put("status", page.status())
                .put("content_type", page.contentType() == null ? "" : page.contentType())
                .put("bytes", page.body().length);
        String type = page.contentType() == null ? "" : page.contentType().toLowerCase(Locale.ROOT);
        boolean truncated = page.truncated();
        if (isText(type)) {
            String raw = new String(page.body(), charset(page.contentType()));
            boolean html = type.contains("html");
            String text = html ? HtmlText.text(raw) : raw;
            if (html) {
                answer.put("title", HtmlText.title(raw));
            }
            if (text.length() > maxChars) {
                text = text.substring(0, maxChars);
                truncated = true;
            }
            answer.put("text", text);
        } else {
            answer.put("base64", Base64.getEncoder().encodeToString(page.body()));
        }
        return answer.put("truncated", truncated);
    }

    private static boolean isText(String type) {
        return type.isEmpty() || type.startsWith("text/") || type.contains("json") || type.contains("xml")
                || type.contains("javascript");
    }

    private static Charset charset(String contentType) {
        if (contentType != null) {
            Matcher m = CHARSET.matcher(contentType);
            if (m.find()) {
                try {
                    return Charset.forName(m.group(1));
                } catch (IllegalArgumentException e) {
                    return StandardCharsets.UTF_8;
                }
            }
        }
        return StandardCharsets.UTF_8;
    }
}
