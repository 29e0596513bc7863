package io.envgrid.rag.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.apache.lucene.util.BytesRef;
import org.junit.jupiter.api.Test;

class VectorBytesTest {

    @Test
    void decodesWhatWasEncodedAtAnyOffset() {
        float[] vector = {0.25f, -1.5f, 3.0e-7f, Float.MAX_VALUE};
        BytesRef encoded = VectorBytes.encode(vector);
        // Doc values hand out slices of a larger array.
        byte[] padded = new byte[encoded.length + 3];
        System.arraycopy(encoded.bytes, encoded.offset, padded, 3, encoded.length);
        float[] decoded = new float[vector.length];
        VectorBytes.decode(new BytesRef(padded, 3, encoded.length), decoded);
        assertArrayEquals(vector, decoded);
    }
}
