package io.envgrid.deviceagent.desktop;

import io.envgrid.deviceagent.Api;
import io.restassured.specification.RequestSpecification;

/** Desktop calls as an operator makes them: with the agent's service token, which the desktop lock accepts. */
public final class Desktop {

    private Desktop() {
    }

    /** RestAssured's {@code given()} with {@code Authorization: Bearer <service token>}. */
    public static RequestSpecification given() {
        return Api.asService();
    }
}
