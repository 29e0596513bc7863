package io.envgrid.rag.index;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * bge-small-en-v1.5 (quantized) from the langchain4j jar, in an ONNX Runtime session that runs each
 * inference on its caller's thread. By default the session keeps a pool of one thread per core that
 * spins between inferences; with concurrent searches on two cores those threads competed with the
 * requests they were meant to speed up.
 */
final class BgeSmallModel extends AbstractInProcessEmbeddingModel {

    private static final String MODEL = "bge-small-en-v1.5-q.onnx";
    private static final String TOKENIZER = "bge-small-en-v1.5-q-tokenizer.json";

    private final OnnxBertBiEncoder encoder;

    BgeSmallModel() {
        super(null);
        ClassLoader loader = BgeSmallModel.class.getClassLoader();
        try (InputStream model = loader.getResourceAsStream(MODEL); InputStream tokenizer = loader.getResourceAsStream(TOKENIZER);
                OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            if (model == null || tokenizer == null) {
                throw new IllegalStateException(MODEL + " or " + TOKENIZER + " is not on the class path");
            }
            options.setIntraOpNumThreads(1);
            OrtEnvironment environment = OrtEnvironment.getEnvironment();
            encoder = new OnnxBertBiEncoder(environment, environment.createSession(model.readAllBytes(), options), tokenizer, PoolingMode.CLS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (OrtException e) {
            throw new IllegalStateException("cannot load " + MODEL, e);
        }
    }

    @Override
    protected OnnxBertBiEncoder model() {
        return encoder;
    }

    @Override
    protected Integer knownDimension() {
        return 384;
    }
}
