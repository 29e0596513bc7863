package io.envgrid.vmcontroller.session;

import static org.hamcrest.Matchers.equalTo;

import io.envgrid.vmcontroller.support.Api;
import io.envgrid.vmcontroller.support.LeaseRecords;
import io.envgrid.vmcontroller.support.ReplicatedRedisTestResource;
import io.envgrid.vmcontroller.support.WithRedisReplica;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The default, {@code envgrid.vm-controller.redis.wait-replicas=0}: a session opening is answered as soon as the
 * master applied it, whether or not a replica is there to confirm it (as before the setting existed).
 */
@QuarkusTest
@WithRedisReplica
class ReplicaWaitOffTest {

    @Inject
    RedisDataSource redis;

    @Test
    void openingDoesNotWaitForReplicas() {
        LeaseRecords leases = new LeaseRecords(redis);
        String worker = "worker-" + UUID.randomUUID();
        String resource = "vm-" + UUID.randomUUID();
        leases.registerVm(resource, 5000);
        LeaseRecords.Grant grant = leases.grant(resource, worker);
        ReplicatedRedisTestResource.stopReplica();
        try {
            Api.open(worker, grant.entry()).statusCode(201).body("lease_id", equalTo(grant.leaseId()));
            Api.open(worker, grant.entry()).statusCode(200).body("lease_id", equalTo(grant.leaseId()));
            Api.get(grant.leaseToken(), worker, resource).statusCode(200).body("state", equalTo("active"));
        } finally {
            ReplicatedRedisTestResource.startReplica();
        }
    }
}
