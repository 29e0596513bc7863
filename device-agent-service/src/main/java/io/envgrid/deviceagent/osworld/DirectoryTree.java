package io.envgrid.deviceagent.osworld;

import io.envgrid.deviceagent.exec.WorkerFiles;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OSWorld's {@code /list_directory} tree: {@code {type, name, children}}; a directory the worker's user may not read
 * becomes {@code {error}}, as OSWorld's server reports one it cannot list. Built from a listing made as that user
 * ({@link WorkerFiles#list}), never from the agent's own view of the file system.
 */
final class DirectoryTree {

    /** Entries listed at most, so a listing of / cannot take the agent down. */
    static final int MAX_ENTRIES = 20_000;

    private DirectoryTree() {
    }

    /** The tree of a directory named {@code name}, from its pre-order listing. */
    static Map<String, Object> of(String name, WorkerFiles.Listing listing) {
        Map<String, Object> root = directory(name);
        if (listing.truncated()) {
            root.put("truncated", true);
        }
        Map<String, Map<String, Object>> directories = new HashMap<>();
        directories.put("", root);
        for (WorkerFiles.Entry entry : listing.entries()) {
            int slash = entry.path().lastIndexOf('/');
            Map<String, Object> parent = directories.get(slash < 0 ? "" : entry.path().substring(0, slash));
            if (parent == null) {
                continue; // below a directory left out (cannot happen in pre-order, but never attach elsewhere)
            }
            String leaf = entry.path().substring(slash + 1);
            Map<String, Object> node;
            if (entry.directory()) {
                node = directory(leaf);
                directories.put(entry.path(), node);
            } else {
                node = new LinkedHashMap<>();
                node.put("type", "file");
                node.put("name", leaf);
            }
            children(parent).add(node);
        }
        for (String path : listing.unreadable()) {
            Map<String, Object> node = directories.get(path);
            if (node != null) {
                node.clear();
                node.put("error", "cannot read " + path);
            }
        }
        return root;
    }

    private static Map<String, Object> directory(String name) {
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("type", "directory");
        tree.put("name", name);
        tree.put("children", new ArrayList<>());
        return tree;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> children(Map<String, Object> directory) {
        return (List<Object>) directory.get("children");
    }
}
