package io.envgrid.rag.api;

import io.envgrid.rag.index.IndexSnapshot;
import io.envgrid.rag.index.QueryTerms;

/**
 * The input limits of the API in one place (the input limits table of rag-service/README.md lists them). Each bound keeps
 * a request inside what the index can take (Lucene's 32,766-byte terms and 1,024-clause queries) and its
 * cost proportional to its size; a request beyond one gets a 400 and changes nothing.
 */
public final class Limits {

    public static final int MAX_TOP_K = 100;
    public static final int MAX_QUERY_CHARS = 2000;
    /** Not a refusal: a longer query is searched with this many of its most informative terms. */
    public static final int MAX_QUERY_TERMS = QueryTerms.MAX_TERMS;
    public static final int MAX_FILTERS = IndexSnapshot.MAX_FILTERS;
    /** Document ids follow the id rule of docs/isolation.md: no spaces or control characters, at most 200 characters. */
    public static final String DOCUMENT_ID_RULE = "[A-Za-z0-9][A-Za-z0-9._:@/-]{0,199}";
    public static final int MAX_TITLE_CHARS = 1000;
    /** About 1,000 chunks of English; embedding them is ~10 s of CPU, the most one document may cost. */
    public static final int MAX_TEXT_CHARS = 1_000_000;
    public static final int MAX_METADATA_ENTRIES = 64;
    /** Metadata values are exact-match terms; 1,000 characters is at most 4,000 UTF-8 bytes, far below Lucene's term limit. */
    public static final int MAX_METADATA_VALUE_CHARS = 1000;
    /** How much of a client's value an error message repeats. */
    static final int ECHO_CHARS = 80;

    private Limits() {
    }
}
