package io.envgrid.deviceagent.osworld;

import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** OSWorld's {@code /list_directory} tree: {@code {type, name, children}}; unreadable directories become {@code {error}}. */
final class DirectoryTree {

    /** Entries listed at most, so a listing of / cannot take the agent down. */
    static final int MAX_ENTRIES = 20_000;

    private int listed;

    private DirectoryTree() {
    }

    static Map<String, Object> of(File directory) {
        return new DirectoryTree().list(directory);
    }

    private Map<String, Object> list(File directory) {
        Map<String, Object> tree = new LinkedHashMap<>();
        String[] names = directory.list();
        if (names == null) {
            tree.put("error", "cannot read " + directory);
            return tree;
        }
        List<Object> children = new ArrayList<>();
        tree.put("type", "directory");
        tree.put("name", directory.getName());
        tree.put("children", children);
        for (String name : names) {
            if (++listed > MAX_ENTRIES) {
                tree.put("truncated", true);
                break;
            }
            File entry = new File(directory, name);
            if (entry.isDirectory() && !java.nio.file.Files.isSymbolicLink(entry.toPath())) {
                children.add(list(entry));
            } else {
                Map<String, Object> file = new LinkedHashMap<>();
                file.put("type", "file");
                file.put("name", name);
                children.add(file);
            }
        }
        return tree;
    }
}
