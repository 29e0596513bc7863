package io.envgrid.deviceagent.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.envgrid.errors.MalformedBody;
import jakarta.inject.Singleton;

/**
 * The device agent's wording for a body that is not JSON of the endpoint's shape: its routes take tool arguments, and
 * a bad argument body is {@code INVALID_PARAMETERS} like any other bad argument (the shared default would say
 * {@code MALFORMED_JSON}).
 */
@Singleton
public class ToolArgumentsBody implements MalformedBody {

    @Override
    public String code() {
        return ErrorCode.INVALID_PARAMETERS;
    }

    @Override
    public String message(JsonProcessingException e) {
        return "request body is not a JSON object of tool arguments";
    }
}
