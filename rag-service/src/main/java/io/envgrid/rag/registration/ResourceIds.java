package io.envgrid.rag.registration;

import io.envgrid.rag.config.RagConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * The allocator resource id of a collection: {@code rag:<instance>:<collection>}, with the instance from
 * {@code envgrid.rag.instance-id} (else the host name). The one place the id is formed, so that registration and
 * the lease check ({@link io.envgrid.rag.access.CollectionAccess}) always name the same resource.
 */
@ApplicationScoped
public class ResourceIds {

    /**
     * Neither the instance nor a collection name ({@link io.envgrid.rag.index.CollectionNames}) can hold a
     * {@code :}, so {@code rag:<instance>:<collection>} splits one way only, and at most 4 + 128 + 1 + 64
     * characters it stays inside the allocator's 200-character resource id rule.
     */
    static final Pattern INSTANCE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final String instance;

    @Inject
    public ResourceIds(RagConfig config) {
        this(config.instanceId().orElseGet(ResourceIds::hostName));
    }

    /** @param instance this instance's name in resource ids */
    public ResourceIds(String instance) {
        this.instance = instance;
    }

    /** This instance's name in resource ids. */
    public String instance() {
        return instance;
    }

    /** Whether the instance name can form resource ids; checked at start when registration is on. */
    public boolean instanceValid() {
        return INSTANCE.matcher(instance).matches();
    }

    /** @param collection a collection name that passed {@link io.envgrid.rag.index.CollectionNames}' rule */
    public String of(String collection) {
        return "rag:" + instance + ":" + collection;
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
