package io.envgrid.vmcontroller.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What a log line and a refusal's reason quote of a desktop's answer ({@link VmAnswer#excerpt}). */
class VmAnswerTest {

    @Test
    void aShortBodyIsQuotedWholeWithoutSurroundingWhiteSpace() {
        assertEquals("Path not supplied!", new VmAnswer(400, "  Path not supplied!\n").excerpt());
        assertEquals("", new VmAnswer(500, null).excerpt());
    }

    @Test
    void aLongBodyIsCutTo300Characters() {
        assertEquals("a".repeat(300) + "…", new VmAnswer(500, "a".repeat(301)).excerpt());
    }

    /** An emoji is two chars in Java; a cut between them would leave a lone surrogate in the log and the reason. */
    @Test
    void theCutNeverSplitsASurrogatePair() {
        String body = "a".repeat(299) + "🙂" + "tail";
        assertEquals("a".repeat(299) + "…", new VmAnswer(500, body).excerpt());
    }
}
