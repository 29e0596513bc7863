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
        assertEquals("{p}:gw:worker:job42/w%3A1:unsettled", keys.unsettledRequests("job42/w:1"));
        assertEquals("{p}:gw:unsettled:due", keys.unsettledDue());
        assertEquals("{p}:gw:unsettled:claims", keys.unsettledClaims());
    }

    /** The sweeper's index names a request by both ids, each holding ':' or '%' as it likes, and reads them back. */
    @Test
    void anUnsettledMemberSplitsBackIntoItsIds() {
        String member = GatewayKeys.unsettledMember("job42/w:1%", "req:2");
        assertEquals("job42/w%3A1%25:req%3A2", member);
        assertEquals(List.of("job42/w:1%", "req:2"), List.of(GatewayKeys.unsettledRequestOf(member)));
        assertEquals(null, GatewayKeys.unsettledRequestOf("a:b:c"));
        assertEquals(null, GatewayKeys.unsettledRequestOf("ab"));
    }
}
