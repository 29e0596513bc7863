package io.envgrid.gateway.lease;

import io.smallrye.mutiny.Uni;
import java.util.List;

/** Workers that are still around (a live MCP session, an open Sandbox session): their leases are kept alive. */
public interface LiveWorkers {

    Uni<List<String>> liveWorkers();
}
