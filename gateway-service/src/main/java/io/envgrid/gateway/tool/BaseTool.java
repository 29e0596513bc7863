package io.envgrid.gateway.tool;

/** A tool whose description is fixed when it is built; tool beans are {@code @Singleton}: they need no proxy. */
public abstract class BaseTool implements Tool {

    private final ToolSpec spec;

    protected BaseTool(ToolSpec spec) {
        this.spec = spec;
    }

    @Override
    public final ToolSpec spec() {
        return spec;
    }
}
