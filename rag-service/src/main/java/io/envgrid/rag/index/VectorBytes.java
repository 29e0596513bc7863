package io.envgrid.rag.index;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.lucene.util.BytesRef;

/** How a chunk's vector is stored in its binary doc value: the floats, little-endian. */
final class VectorBytes {

    /**
     * Reads floats straight out of the byte array: a dense search decodes every chunk's vector, and a
     * ByteBuffer view per chunk made the allocation of two buffer objects a fifth of its cost.
     */
    private static final VarHandle LITTLE_ENDIAN_FLOAT = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);

    private VectorBytes() {
    }

    static BytesRef encode(float[] vector) {
        ByteBuffer buffer = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(vector);
        return new BytesRef(buffer.array());
    }

    static void decode(BytesRef bytes, float[] into) {
        for (int i = 0; i < into.length; i++) {
            into[i] = (float) LITTLE_ENDIAN_FLOAT.get(bytes.bytes, bytes.offset + i * Float.BYTES);
        }
    }
}
