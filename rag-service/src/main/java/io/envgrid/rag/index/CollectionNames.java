package io.envgrid.rag.index;

import io.envgrid.rag.error.ApiException;
import io.envgrid.rag.error.ErrorCode;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The one rule for collection names, checked before any state changes. A name becomes a directory under
 * the index directory and the last part of the allocator resource id {@code rag:<instance>:<collection>},
 * so the alphabet leaves out everything that could mean something there: no {@code /}, {@code \},
 * {@code .} or {@code %} (no path traversal, no hidden or encoded names), no {@code :} (the id's separator),
 * and no upper case (two names differing only in case would share a directory on a case-insensitive disk).
 * Every name the rule allows is therefore its own path segment and id part without any encoding.
 */
public final class CollectionNames {

    public static final String RULE = "[a-z0-9][a-z0-9_-]{0,63}";
    private static final Pattern PATTERN = Pattern.compile(RULE);

    private CollectionNames() {
    }

    public static boolean valid(String name) {
        return name != null && PATTERN.matcher(name).matches();
    }

    /** @return the name, if it follows the rule; otherwise a 400 {@code INVALID_ID} */
    public static String require(String name) {
        if (!valid(name)) {
            throw new ApiException(400, ErrorCode.INVALID_ID, "collection name must match " + RULE,
                    Map.of("rule", RULE));
        }
        return name;
    }
}
