package io.envgrid.gateway.support;

import static io.restassured.RestAssured.given;

import io.restassured.response.Response;

/** The Sandbox API over HTTP as a rollout worker calls it: a JSON body posted to a path. */
public final class SandboxHttp {

    private SandboxHttp() {
    }

    /** POSTs {@code body} (JSON text) to {@code path} of the gateway under test. */
    public static Response post(String path, String body) {
        return given().contentType("application/json").body(body).post(path);
    }
}
