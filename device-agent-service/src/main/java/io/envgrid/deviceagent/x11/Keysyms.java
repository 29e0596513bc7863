package io.envgrid.deviceagent.x11;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Keysym names to keysym codes, as XStringToKeysym reads them, for the names the agent's key table uses: the
 * function, cursor, keypad and modifier keys, F1-F35, the Latin-1 names ({@code minus}, {@code adiaeresis}), a few
 * XF86 media keys, a single character (its keysym, below), {@code U+20AC} / {@code U20AC} and {@code 0x…} codes.
 * Codes are the X Window System Protocol's KEYSYM encoding (Appendix A, "KEYSYM Encoding"; XF86 media keys as
 * {@code XF86keysym.h} assigns them); a character outside Latin-1 is {@code 0x01000000 + code point}, the rule the
 * protocol adopted for all of Unicode.
 */
public final class Keysyms {

    public static final int RETURN = 0xff0d;
    public static final int TAB = 0xff09;
    public static final int BACKSPACE = 0xff08;
    private static final int UNICODE_OFFSET = 0x01000000;
    private static final Map<String, Integer> NAMES = new HashMap<>();

    static {
        names(0xff08, "BackSpace", "Tab", "Linefeed", "Clear", null, "Return");
        names(0xff13, "Pause", "Scroll_Lock", "Sys_Req");
        names(0xff1b, "Escape");
        names(0xff20, "Multi_key");
        names(0xff50, "Home", "Left", "Up", "Right", "Down", "Prior", "Next", "End", "Begin");
        names(0xff55, "Page_Up", "Page_Down");
        names(0xff60, "Select", "Print", "Execute", "Insert", null, "Undo", "Redo", "Menu", "Find", "Cancel", "Help", "Break");
        names(0xff7e, "Mode_switch", "Num_Lock");
        names(0xff80, "KP_Space");
        names(0xff89, "KP_Tab");
        names(0xff8d, "KP_Enter");
        names(0xff91, "KP_F1", "KP_F2", "KP_F3", "KP_F4", "KP_Home", "KP_Left", "KP_Up", "KP_Right", "KP_Down",
                "KP_Prior", "KP_Next", "KP_End", "KP_Begin", "KP_Insert", "KP_Delete");
        names(0xff9a, "KP_Page_Up", "KP_Page_Down");
        names(0xffaa, "KP_Multiply", "KP_Add", "KP_Separator", "KP_Subtract", "KP_Decimal", "KP_Divide");
        for (int i = 0; i <= 9; i++) {
            NAMES.put("KP_" + i, 0xffb0 + i);
        }
        names(0xffbd, "KP_Equal");
        for (int i = 1; i <= 35; i++) {
            NAMES.put("F" + i, 0xffbe + i - 1);
        }
        names(0xffe1, "Shift_L", "Shift_R", "Control_L", "Control_R", "Caps_Lock", "Shift_Lock", "Meta_L", "Meta_R",
                "Alt_L", "Alt_R", "Super_L", "Super_R", "Hyper_L", "Hyper_R");
        names(0xfe03, "ISO_Level3_Shift");
        names(0xffff, "Delete");
        names(0x20, "space", "exclam", "quotedbl", "numbersign", "dollar", "percent", "ampersand", "apostrophe",
                "parenleft", "parenright", "asterisk", "plus", "comma", "minus", "period", "slash");
        names(0x3a, "colon", "semicolon", "less", "equal", "greater", "question", "at");
        names(0x5b, "bracketleft", "backslash", "bracketright", "asciicircum", "underscore", "grave");
        names(0x7b, "braceleft", "bar", "braceright", "asciitilde");
        names(0x27, "quoteright");
        names(0x60, "quoteleft");
        names(0xa0, "nobreakspace", "exclamdown", "cent", "sterling", "currency", "yen", "brokenbar", "section",
                "diaeresis", "copyright", "ordfeminine", "guillemotleft", "notsign", "hyphen", "registered", "macron",
                "degree", "plusminus", "twosuperior", "threesuperior", "acute", "mu", "paragraph", "periodcentered",
                "cedilla", "onesuperior", "masculine", "guillemotright", "onequarter", "onehalf", "threequarters",
                "questiondown", "Agrave", "Aacute", "Acircumflex", "Atilde", "Adiaeresis", "Aring", "AE", "Ccedilla",
                "Egrave", "Eacute", "Ecircumflex", "Ediaeresis", "Igrave", "Iacute", "Icircumflex", "Idiaeresis",
                "ETH", "Ntilde", "Ograve", "Oacute", "Ocircumflex", "Otilde", "Odiaeresis", "multiply", "Oslash",
                "Ugrave", "Uacute", "Ucircumflex", "Udiaeresis", "Yacute", "THORN", "ssharp", "agrave", "aacute",
                "acircumflex", "atilde", "adiaeresis", "aring", "ae", "ccedilla", "egrave", "eacute", "ecircumflex",
                "ediaeresis", "igrave", "iacute", "icircumflex", "idiaeresis", "eth", "ntilde", "ograve", "oacute",
                "ocircumflex", "otilde", "odiaeresis", "division", "oslash", "ugrave", "uacute", "ucircumflex",
                "udiaeresis", "yacute", "thorn", "ydiaeresis");
        names(0xab, "guillemetleft");
        names(0xba, "ordmasculine");
        names(0xbb, "guillemetright");
        names(0x1008ff02, "XF86MonBrightnessUp", "XF86MonBrightnessDown");
        names(0x1008ff11, "XF86AudioLowerVolume", "XF86AudioMute", "XF86AudioRaiseVolume", "XF86AudioPlay",
                "XF86AudioStop", "XF86AudioPrev", "XF86AudioNext", "XF86HomePage", "XF86Mail");
        names(0x1008ff1b, "XF86Search");
        names(0x1008ff26, "XF86Back", "XF86Forward");
        names(0x1008ff29, "XF86Refresh");
        names(0x1008ff1d, "XF86Calculator");
        names(0x1008ff28, "XF86Stop");
        names(0x1008ff2f, "XF86Sleep", "XF86Favorites");
        names(0x1008ff32, "XF86AudioMedia", "XF86MyComputer");
        names(0x1008ffb2, "XF86AudioMicMute");
        // Japanese and Korean input keys (keysymdef.h's XK_JAPAN / XK_KOREAN blocks)
        names(0xff21, "Kanji", "Muhenkan", "Henkan_Mode");
        names(0xff2e, "Kana_Shift");
        names(0xff31, "Hangul");
        names(0xff34, "Hangul_Hanja");
        names(0xff38, "Hangul_Jeonja");
    }

    private Keysyms() {
    }

    /** Consecutive codes from {@code first}; a null skips a code. */
    private static void names(int first, String... names) {
        for (int i = 0; i < names.length; i++) {
            if (names[i] != null) {
                NAMES.put(names[i], first + i);
            }
        }
    }

    /** Whether a keysym is a keypad key's ({@code KP_Space} to {@code KP_Equal}: keysymdef.h's keypad block). */
    static boolean isKeypad(int keysym) {
        return keysym >= 0xff80 && keysym <= 0xffbd;
    }

    /** The keysym a name stands for; {@link X11Exception.Unsupported} for a name outside the forms above. */
    public static int forName(String name) {
        Integer named = NAMES.get(name);
        if (named != null) {
            return named;
        }
        if (name.codePointCount(0, name.length()) == 1) {
            OptionalInt typed = forCodePoint(name.codePointAt(0));
            if (typed.isPresent()) {
                return typed.getAsInt();
            }
        }
        try {
            if (name.matches("U\\+?[0-9A-Fa-f]{1,6}")) {
                int codePoint = Integer.parseInt(name.substring(name.charAt(1) == '+' ? 2 : 1), 16);
                if (Character.isValidCodePoint(codePoint)) {
                    return forCodePoint(codePoint).orElse(UNICODE_OFFSET + codePoint);
                }
            } else if (name.matches("0x[0-9A-Fa-f]{1,8}")) {
                return Integer.parseUnsignedInt(name.substring(2), 16);
            }
        } catch (NumberFormatException e) {
            // falls through to the refusal: the pattern admitted it, so only an overflow gets here
        }
        throw new X11Exception.Unsupported("unknown keysym name '" + name + "'");
    }

    /**
     * The keysym that types a character, as pyautogui's typewrite presses it: newline and carriage return are
     * Return, tab is Tab, backspace BackSpace; other control characters have none (pyautogui skips them).
     */
    public static OptionalInt forCodePoint(int codePoint) {
        if (codePoint == '\n' || codePoint == '\r') {
            return OptionalInt.of(RETURN);
        }
        if (codePoint == '\t') {
            return OptionalInt.of(TAB);
        }
        if (codePoint == '\b') {
            return OptionalInt.of(BACKSPACE);
        }
        if (Character.isISOControl(codePoint)) {
            return OptionalInt.empty();
        }
        boolean latin1 = codePoint >= 0x20 && codePoint <= 0x7e || codePoint >= 0xa0 && codePoint <= 0xff;
        return OptionalInt.of(latin1 ? codePoint : UNICODE_OFFSET + codePoint);
    }
}
