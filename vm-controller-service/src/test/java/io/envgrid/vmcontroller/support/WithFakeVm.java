package io.envgrid.vmcontroller.support;

import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the tests that reach a VM: each test gets its own fake VM (a fresh port, so a fresh
 * circuit breaker), registered and leased to its own worker as the allocator does it, with an open
 * session on that VM.
 */
public abstract class WithFakeVm {

    @Inject
    protected RedisDataSource redis;

    protected LeaseRecords leases;
    protected FakeVm vm;
    protected String worker;
    protected String resource;
    /** The grant of {@link #resource} to {@link #worker}. */
    protected LeaseRecords.Grant grant;
    /** Its lease token, sent with every session call. */
    protected String token;

    @BeforeEach
    protected void openSession() {
        leases = new LeaseRecords(redis);
        vm = new FakeVm();
        worker = "worker-" + UUID.randomUUID();
        resource = "vm-" + vm.port() + "-" + UUID.randomUUID();
        leases.registerVm(resource, vm.port());
        grant = leases.grant(resource, worker);
        token = grant.leaseToken();
        Api.open(worker, grant.entry()).statusCode(201);
    }

    @AfterEach
    protected void closeVm() {
        vm.close();
    }
}
