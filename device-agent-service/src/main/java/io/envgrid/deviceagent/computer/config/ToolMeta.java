package io.envgrid.deviceagent.computer.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/**
 * What a Computer says about one tool (A2C-SMCP {@code ToolMeta}): {@code alias} renames it on the network,
 * {@code tags} and {@code auto_apply} (the agent may call it without asking a human) are passed to the agent,
 * {@code ret_object_mapper} is carried for the agent unchanged. Every field may be absent.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ToolMeta(
        @JsonProperty("auto_apply") Boolean autoApply,
        @JsonProperty("alias") String alias,
        @JsonProperty("tags") List<String> tags,
        @JsonProperty("ret_object_mapper") Map<String, Object> retObjectMapper) {

    /** No field set. */
    public static final ToolMeta EMPTY = new ToolMeta(null, null, null, null);

    /** Each field of {@code this} where set, else that of {@code fallback} (the protocol's merge order). */
    public ToolMeta over(ToolMeta fallback) {
        if (fallback == null) {
            return this;
        }
        return new ToolMeta(autoApply != null ? autoApply : fallback.autoApply,
                alias != null ? alias : fallback.alias,
                tags != null ? tags : fallback.tags,
                retObjectMapper != null ? retObjectMapper : fallback.retObjectMapper);
    }
}
