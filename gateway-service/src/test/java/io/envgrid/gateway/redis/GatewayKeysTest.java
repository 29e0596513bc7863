package io.envgrid.gateway.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.envgrid.gateway.config.GatewayConfig;
import io.smallrye.config.WithDefault;
import java.util.List;
import org.junit.jupiter.api.Test;

class GatewayKeysTest {

    @Test
    void theExpiryChannelsFollowTheAllocatorsPrefixes() {
        assertEquals(List.of("{envgrid}:ch:expired"),
                new GatewayKeys("{envgrid-gw}:", List.of("{envgrid}:")).allocatorExpiryChannels());
        assertEquals(List.of("{envgrid}:ch:expired", "{envgrid-desk}:ch:expired"),
                new GatewayKeys("{envgrid-gw}:", List.of("{envgrid}:", "{envgrid-desk}:")).allocatorExpiryChannels());
    }

    @Test
    void byDefaultTheGatewaysKeysHaveATagOfTheirOwn() throws NoSuchMethodException {
        // Not the allocator's {envgrid}: on Redis Cluster the gateway's slot need not share a master with a cell.
        assertEquals("{envgrid-gw}:", GatewayConfig.class.getMethod("keyPrefix").getAnnotation(WithDefault.class).value());
        assertEquals("{envgrid}:", GatewayConfig.class.getMethod("allocatorKeyPrefix").getAnnotation(WithDefault.class).value());
    }

    @Test
    void idsInKeysAreEncodedAndEveryKeyHasThePrefix() {
        GatewayKeys keys = new GatewayKeys("{p}:gw:", List.of("{p}:"));
        assertEquals("{p}:gw:worker:job42/w%3A1:resources", keys.workerResources("job42/w:1"));
        assertEquals("{p}:gw:worker:job42/w%3A1:sessions", keys.workerMcpSessions("job42/w:1"));
        assertEquals("{p}:gw:sandbox:sessions:job42/w%3A1", keys.sandboxSessions("job42/w:1"));
        assertEquals("{p}:gw:ch:replica:r1", keys.replicaChannel("r1"));
    }
}
