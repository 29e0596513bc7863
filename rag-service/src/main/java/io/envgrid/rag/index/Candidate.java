package io.envgrid.rag.index;

/**
 * A document in a ranking before its stored fields are read, valid within one {@link IndexSnapshot}:
 * {@code document} is the Lucene number of its first chunk (the same in every ranking of the snapshot),
 * {@code chunk} that of the chunk it is shown by.
 */
public record Candidate(int document, int chunk, double score) {
}
