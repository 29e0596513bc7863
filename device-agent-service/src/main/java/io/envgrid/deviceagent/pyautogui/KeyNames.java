package io.envgrid.deviceagent.pyautogui;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** pyautogui key names (as OSWorld's KEYBOARD_KEYS spells them) to the X keysyms xdotool presses. */
final class KeyNames {

    private static final Map<String, String> KEYSYMS = new HashMap<>();

    static {
        put("Return", "enter", "return", "\n", "\r");
        put("Escape", "esc", "escape");
        put("Tab", "tab", "\t");
        put("space", "space", " ");
        put("BackSpace", "backspace");
        put("Delete", "delete", "del");
        put("Insert", "insert");
        put("Home", "home");
        put("End", "end");
        put("Prior", "pageup", "pgup");
        put("Next", "pagedown", "pgdn");
        put("Up", "up");
        put("Down", "down");
        put("Left", "left");
        put("Right", "right");
        put("Control_L", "ctrl", "ctrlleft", "control");
        put("Control_R", "ctrlright");
        put("Alt_L", "alt", "altleft", "option", "optionleft");
        put("Alt_R", "altright", "optionright");
        put("Shift_L", "shift", "shiftleft");
        put("Shift_R", "shiftright");
        put("Super_L", "win", "winleft", "command", "super", "cmd");
        put("Super_R", "winright");
        put("Menu", "apps");
        put("Caps_Lock", "capslock");
        put("Num_Lock", "numlock");
        put("Scroll_Lock", "scrolllock");
        put("Print", "printscreen", "prntscrn", "prtsc", "prtscr", "print");
        put("Pause", "pause");
        put("XF86AudioRaiseVolume", "volumeup");
        put("XF86AudioLowerVolume", "volumedown");
        put("XF86AudioMute", "volumemute");
        for (int i = 1; i <= 24; i++) {
            put("F" + i, "f" + i);
        }
        String punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
        String[] names = {"exclam", "quotedbl", "numbersign", "dollar", "percent", "ampersand", "apostrophe",
            "parenleft", "parenright", "asterisk", "plus", "comma", "minus", "period", "slash", "colon", "semicolon",
            "less", "equal", "greater", "question", "at", "bracketleft", "backslash", "bracketright", "asciicircum",
            "underscore", "grave", "braceleft", "bar", "braceright", "asciitilde"};
        for (int i = 0; i < names.length; i++) {
            put(names[i], String.valueOf(punctuation.charAt(i)));
        }
    }

    private KeyNames() {
    }

    private static void put(String keysym, String... names) {
        for (String name : names) {
            KEYSYMS.put(name, keysym);
        }
    }

    /** The keysym for a pyautogui key name; letters and digits are their own keysyms. */
    static Optional<String> keysym(String name) {
        String known = KEYSYMS.get(name);
        if (known == null) {
            known = KEYSYMS.get(name.toLowerCase(Locale.ROOT));
        }
        if (known != null) {
            return Optional.of(known);
        }
        if (name.length() == 1 && Character.isLetterOrDigit(name.charAt(0)) && name.charAt(0) < 128) {
            return Optional.of(name);
        }
        return Optional.empty();
    }
}
