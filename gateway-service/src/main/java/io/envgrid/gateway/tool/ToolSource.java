package io.envgrid.gateway.tool;

import java.util.List;

/** A bean contributing several tools built from data (one class, many names), next to the single-tool beans. */
public interface ToolSource {

    List<Tool> tools();
}
