package io.envgrid.gateway.mcp.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Where a transport sends what one client message produced: notifications first, then its response. */
public interface Responder {

    /** Whether notifications (progress) can reach the client on this transport right now. */
    boolean streams();

    void notify(ObjectNode notification);

    void respond(ObjectNode response);
}
