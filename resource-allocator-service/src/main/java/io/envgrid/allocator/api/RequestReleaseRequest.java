package io.envgrid.allocator.api;

/** {@code POST /release/request}: whatever the allocation with {@code request_id} granted to {@code worker_id}. */
public record RequestReleaseRequest(String workerId, String requestId) {

    public void validate() {
        Validation.requireId("worker_id", workerId);
        Validation.requireId("request_id", requestId);
    }
}
