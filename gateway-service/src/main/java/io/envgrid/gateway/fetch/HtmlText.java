package io.envgrid.gateway.fetch;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The readable text of an HTML page, for a model to read: scripts, styles and tags dropped, entities decoded. */
final class HtmlText {

    private static final Pattern INVISIBLE = Pattern.compile("(?is)<(script|style|noscript|template|head)\\b.*?</\\1\\s*>|<!--.*?-->");
    private static final Pattern BLOCK_END = Pattern.compile("(?i)<(br|/p|/div|/li|/tr|/h[1-6]|/title|/section|/article)\\b[^>]*>");
    private static final Pattern TAG = Pattern.compile("<[^>]*>");
    private static final Pattern TITLE = Pattern.compile("(?is)<title\\b[^>]*>(.*?)</title\\s*>");
    private static final Pattern ENTITY = Pattern.compile("&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{1,10});");
    private static final Map<String, String> NAMED = Map.of("amp", "&", "lt", "<", "gt", ">", "quot", "\"",
            "apos", "'", "nbsp", " ");

    private HtmlText() {
    }

    static String title(String html) {
        Matcher m = TITLE.matcher(html);
        return m.find() ? decode(TAG.matcher(m.group(1)).replaceAll("")).strip() : "";
    }

    static String text(String html) {
        String withoutHidden = INVISIBLE.matcher(html).replaceAll(" ");
        String lines = BLOCK_END.matcher(withoutHidden).replaceAll("\n");
        String text = decode(TAG.matcher(lines).replaceAll(" "));
        StringBuilder out = new StringBuilder(text.length());
        for (String line : text.split("\n")) {
            String collapsed = line.replaceAll("[ \\t\\x0B\\f\\r\\u00A0]+", " ").strip();
            if (!collapsed.isEmpty()) {
                out.append(collapsed).append('\n');
            }
        }
        return out.toString().strip();
    }

    private static String decode(String text) {
        Matcher m = ENTITY.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String entity = m.group(1);
            String replacement;
            if (entity.startsWith("#x") || entity.startsWith("#X")) {
                replacement = codePoint(Integer.parseInt(entity.substring(2), 16), m.group());
            } else if (entity.startsWith("#")) {
                replacement = codePoint(Integer.parseInt(entity.substring(1)), m.group());
            } else {
                replacement = NAMED.getOrDefault(entity.toLowerCase(java.util.Locale.ROOT), m.group());
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String codePoint(int value, String original) {
        return Character.isValidCodePoint(value) ? new String(Character.toChars(value)) : original;
    }
}
