package io.envgrid.gateway.fetch;

import java.net.URI;

/** A response as {@code fetch} received it: at most {@code max_bytes} of its body; {@code location} when it redirects. */
record FetchedPage(URI uri, int status, String contentType, String location, byte[] body, boolean truncated) {
}
