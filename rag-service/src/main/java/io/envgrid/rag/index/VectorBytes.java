package io.envgrid.rag.index;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.lucene.util.BytesRef;

/** How a chunk's vector is stored in its binary doc value: the floats, little-endian. */
final class VectorBytes {

    private VectorBytes() {
    }

    static BytesRef encode(float[] vector) {
        ByteBuffer buffer = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(vector);
        return new BytesRef(buffer.array());
    }

    static void decode(BytesRef bytes, float[] into) {
        ByteBuffer.wrap(bytes.bytes, bytes.offset, bytes.length).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(into);
    }
}
