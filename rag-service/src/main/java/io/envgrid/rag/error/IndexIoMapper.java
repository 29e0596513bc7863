package io.envgrid.rag.error;

import io.envgrid.errors.ErrorMappers;
import jakarta.ws.rs.core.Response;
import java.io.UncheckedIOException;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The rag service's one failure beyond the shared {@link ErrorMappers}: the index's disk failing. */
public class IndexIoMapper {

    private static final Logger LOG = Logger.getLogger(IndexIoMapper.class);

    /** The index could not be read or written: a real server fault, reported without the disk's details. */
    @ServerExceptionMapper
    public Response io(UncheckedIOException e) {
        LOG.error("index I/O failure", e);
        return ErrorMappers.envelope(503, ErrorCode.INDEX_UNAVAILABLE, "the index could not be read or written",
                Map.of());
    }
}
