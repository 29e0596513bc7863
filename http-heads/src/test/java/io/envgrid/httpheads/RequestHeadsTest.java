package io.envgrid.httpheads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.MultiMap;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RequestHeadsTest {

    @Test
    void targetsThatAreUrisHaveNoProblem() {
        for (String uri : new String[] {"/", "/leases?x=1&y=%20", "/a/b%2Fc", "http://host:8080/q/health", "*"}) {
            assertEquals(Optional.empty(), RequestHeads.targetProblem(uri), uri);
        }
    }

    @Test
    void targetsThatAreNoUrisAreNamedWithReasonAndIndex() {
        assertEquals(Optional.of("the request target is not a valid URI: Malformed escape pair at index 1"),
                RequestHeads.targetProblem("/%zz"));
        assertEquals(Optional.of("the request target is not a valid URI: Malformed escape pair at index 10"),
                RequestHeads.targetProblem("/leases?x=%"));
        assertEquals(Optional.of("the request target is not a valid URI: Illegal character in path at index 1"),
                RequestHeads.targetProblem("/{}"));
    }

    @Test
    void noTransferEncodingIsKnowable() {
        assertTrue(RequestHeads.lengthKnowable(MultiMap.caseInsensitiveMultiMap().add("Content-Length", "3")));
    }

    @Test
    void aLastCodingOfChunkedIsKnowable() {
        assertTrue(RequestHeads.lengthKnowable(headers("chunked")));
        assertTrue(RequestHeads.lengthKnowable(headers("CHUNKED")));
        assertTrue(RequestHeads.lengthKnowable(headers("gzip, chunked")));
        assertTrue(RequestHeads.lengthKnowable(headers("gzip", " Chunked ")));
        assertTrue(RequestHeads.lengthKnowable(MultiMap.caseInsensitiveMultiMap().add("transfer-encoding", "chunked")));
    }

    @Test
    void anyOtherLastCodingIsNot() {
        assertFalse(RequestHeads.lengthKnowable(headers("gzip")));
        assertFalse(RequestHeads.lengthKnowable(headers("chunked, gzip")));
        assertFalse(RequestHeads.lengthKnowable(headers("chunked", "gzip")));
        assertFalse(RequestHeads.lengthKnowable(headers("chunkedx")));
        assertFalse(RequestHeads.lengthKnowable(headers("")));
    }

    @Test
    void theMessageSaysWhy() {
        assertEquals("the request's Transfer-Encoding does not end in chunked: the length of its body cannot be known",
                RequestHeads.UNKNOWABLE_LENGTH);
    }

    private static MultiMap headers(String... transferEncodings) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        for (String coding : transferEncodings) {
            headers.add("Transfer-Encoding", coding);
        }
        return headers;
    }
}
