package io.envgrid.vmcontroller.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ShellWords} against what Python's {@code shlex.split} answers for the same lines (taken from Python 3). */
class ShellWordsTest {

    @Test
    void splitsAsShlexDoes() {
        assertEquals(List.of("echo", "a b", "it's", "c d"), ShellWords.split("echo 'a b' \"it's\" c\\ d"));
        assertEquals(List.of("ab cd"), ShellWords.split("a\"b c\"d"));
        assertEquals(List.of("a\\b", "\""), ShellWords.split("\"a\\b\" \"\\\"\""));
        assertEquals(List.of(""), ShellWords.split("''"));
        assertEquals(List.of("x", "y"), ShellWords.split("x  \t y\n"));
        assertEquals(List.of("ls", "-la", "~/Desktop"), ShellWords.split("ls -la ~/Desktop"));
        assertEquals(List.of("a#b", "#", "c"), ShellWords.split("a#b # c"), "no comments, as shlex.split");
    }

    @Test
    void refusesWhatShlexCannotSplit() {
        assertEquals("No escaped character", assertThrows(IllegalArgumentException.class,
                () -> ShellWords.split("a\\")).getMessage());
        assertEquals("No closing quotation", assertThrows(IllegalArgumentException.class,
                () -> ShellWords.split("echo 'abc")).getMessage());
        assertEquals("No closing quotation", assertThrows(IllegalArgumentException.class,
                () -> ShellWords.split("echo \"abc")).getMessage());
    }
}
