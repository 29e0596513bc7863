package io.envgrid.vmcontroller.vm;

/**
 * A VM's OSWorld server's answer to a call that failed: its HTTP status and its body as text (what
 * the error envelope passes on as {@code vm_status} and {@code vm_body}).
 */
public record VmAnswer(int status, String body) {

    /** How much of a body a message or a log line quotes, in characters. */
    private static final int EXCERPT_LIMIT = 300;

    /**
     * The body without surrounding white space, cut to 300 characters (and "…") where longer, never inside a surrogate
     * pair; "" for none.
     */
    public String excerpt() {
        String text = body == null ? "" : body.strip();
        if (text.length() <= EXCERPT_LIMIT) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(EXCERPT_LIMIT - 1)) ? EXCERPT_LIMIT - 1 : EXCERPT_LIMIT;
        return text.substring(0, end) + "…";
    }
}
