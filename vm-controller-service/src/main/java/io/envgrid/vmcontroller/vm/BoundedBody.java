package io.envgrid.vmcontroller.vm;

import io.smallrye.mutiny.vertx.TypeArg;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import io.vertx.ext.web.codec.spi.BodyStream;

/**
 * Reads a desktop's answer into memory up to {@code limit} bytes. The web client's own buffering has no limit, and
 * what a desktop answers is the worker's doing (a file it wrote, a tree of the windows it opened), so a 10 GB file
 * or an endless answer would fill the heap. Past the limit the answer fails with {@link TooLarge}, the client drops
 * the request, and nothing more is kept.
 */
final class BoundedBody implements io.vertx.ext.web.codec.BodyCodec<Buffer> {

    private final long limit;

    private BoundedBody(long limit) {
        this.limit = limit;
    }

    /** The codec for {@code HttpRequest.as}, answering the mutiny {@code Buffer} the rest of the client reads. */
    static io.vertx.mutiny.ext.web.codec.BodyCodec<io.vertx.mutiny.core.buffer.Buffer> of(long limit) {
        return new io.vertx.mutiny.ext.web.codec.BodyCodec<>(new BoundedBody(limit), new TypeArg<>(
                body -> io.vertx.mutiny.core.buffer.Buffer.newInstance((Buffer) body),
                body -> body.getDelegate()));
    }

    @Override
    public void create(Handler<AsyncResult<BodyStream<Buffer>>> handler) {
        handler.handle(Future.succeededFuture(new Stream()));
    }

    /** The answer was larger than the limit ({@code limit} bytes, named in the message). */
    static final class TooLarge extends RuntimeException {
        TooLarge(long limit) {
            super("the desktop's answer is larger than " + limit + " bytes", null, false, false);
        }
    }

    private final class Stream implements BodyStream<Buffer> {
        private final Promise<Buffer> result = Promise.promise();
        private Buffer body = Buffer.buffer();

        @Override
        public Future<Buffer> result() {
            return result.future();
        }

        @Override
        public void handle(Throwable failure) {
            result.tryFail(failure);
        }

        @Override
        public Future<Void> write(Buffer data) {
            return append(data);
        }

        @Override
        public void write(Buffer data, Handler<AsyncResult<Void>> done) {
            Future<Void> written = append(data);
            if (done != null) {
                done.handle(written);
            }
        }

        /**
         * Keeps {@code data}, or past the limit drops everything and fails the write: the client's pipe stops at a
         * failed write and fails the response at once, rather than reading the rest of the answer first.
         */
        private Future<Void> append(Buffer data) {
            if (body != null && body.length() + (long) data.length() > limit) {
                body = null;
                result.tryFail(new TooLarge(limit));
            }
            if (body == null) {
                return Future.failedFuture(new TooLarge(limit));
            }
            body.appendBuffer(data);
            return Future.succeededFuture();
        }

        @Override
        public Future<Void> end() {
            if (body != null) {
                result.tryComplete(body);
            }
            return Future.succeededFuture();
        }

        @Override
        public void end(Handler<AsyncResult<Void>> done) {
            end();
            if (done != null) {
                done.handle(Future.succeededFuture());
            }
        }

        @Override
        public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
            return this;
        }

        @Override
        public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
            return this;
        }

        @Override
        public boolean writeQueueFull() {
            return false;
        }

        @Override
        public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
            return this;
        }
    }
}
