package io.envgrid.allocator.auth;

/**
 * Who made an API call, as the bearer token proves it. Recorded as the owner of the resources it
 * registers ({@code owner}) and as the drainer of the ones it drains ({@code drained_by}), in the form
 * {@link #name()} returns.
 */
public sealed interface Principal {

    /** {@code service}, {@code agent:<agent id>} or {@code open}: the name stored in Redis and listed. */
    String name();

    /** Whether this principal may see the resource {@code owner} owns: an agent only its own, the others all. */
    default boolean sees(String owner) {
        return !(this instanceof Agent) || name().equals(owner);
    }

    /**
     * Whether this principal may register or act on the resource {@code id}: an agent only on ids in its own
     * namespace {@code <agent id>:…} (agent ids follow the type rule, which has no {@code :}, so the prefix cannot
     * be another agent's), the others on any. Without it one host's token could register another host's id first
     * and point it anywhere.
     */
    default boolean mayName(String id) {
        return !(this instanceof Agent agent) || id.startsWith(agent.namespace());
    }

    /** Holder of the service token: the gateway, the controllers, operators. Trusted to pass worker ids on. */
    record Service() implements Principal {
        @Override
        public String name() {
            return "service";
        }
    }

    /** A host's agent, authenticated by its own agent token ({@link AgentTokens}); may only keep its own inventory. */
    record Agent(String id) implements Principal {

        /** The prefix of every resource id this agent may register: {@code <agent id>:}. */
        public String namespace() {
            return id + ":";
        }

        @Override
        public String name() {
            return "agent:" + id;
        }
    }

    /** Any caller while {@code envgrid.allocator.auth=open}: nobody is told apart. */
    record Open() implements Principal {
        @Override
        public String name() {
            return "open";
        }
    }
}
