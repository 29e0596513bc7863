package io.envgrid.errors;

import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * How a service words the 400 for a request body that is not JSON of the endpoint's shape. {@link JsonPathRefusal}
 * is the default; a service with other wording declares its own {@code @Singleton} bean of this type, which
 * replaces it.
 */
public interface MalformedBody {

    /** The envelope code of the 400 (also of a 400 the HTTP layer raises without a JSON cause). */
    String code();

    /** The envelope message for {@code e}; {@code details.reason} is the parser's own message in any case. */
    String message(JsonProcessingException e);
}
