package io.envgrid.gateway.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class GatewayKeysTest {

    @Test
    void theExpiryChannelFollowsTheAllocatorsPrefix() {
        assertEquals("{envgrid}:ch:expired", new GatewayKeys("{envgrid}:gw:", "{envgrid}:").allocatorExpiryChannel());
        assertEquals("{staging}:ch:expired", new GatewayKeys("{staging}:gw:", "{staging}:").allocatorExpiryChannel());
    }

    @Test
    void idsInKeysAreEncodedAndEveryKeyHasThePrefix() {
        GatewayKeys keys = new GatewayKeys("{p}:gw:", "{p}:");
        assertEquals("{p}:gw:worker:job42/w%3A1:resources", keys.workerResources("job42/w:1"));
        assertEquals("{p}:gw:worker:job42/w%3A1:sessions", keys.workerMcpSessions("job42/w:1"));
        assertEquals("{p}:gw:sandbox:sessions:job42/w%3A1", keys.sandboxSessions("job42/w:1"));
        assertEquals("{p}:gw:ch:replica:r1", keys.replicaChannel("r1"));
    }
}
