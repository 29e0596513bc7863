package io.envgrid.desktopkeys;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The one table of desktop key names envgrid accepts, shared by the vm-controller (computer_13 and the
 * code it generates), the device agent (its pyautogui interpreter) and the gateway (the {@code computer}
 * tool).
 *
 * <p>Names are pyautogui's {@code KEYBOARD_KEYS} (the list OSWorld's computer_13 space takes), plus the
 * upper-case letters pyautogui's X11 backend also maps, each with the X keysym it presses. Aliases are the
 * other spellings agents send — xdotool keysym names ({@code Return}, {@code minus}, {@code Page_Up},
 * {@code super} …) and browser-style names ({@code ArrowUp}) — each standing for one pyautogui name, so
 * code generated from an alias is code real pyautogui runs.
 *
 * <p>Lookup follows pyautogui: a name longer than one character is lower-cased first; a single character is
 * taken as it is ({@code "A"} is shift+a). A few pyautogui names have no X keysym ({@code fn}, {@code accept},
 * {@code final}): they are found, and press nothing, as on pyautogui's X11 backend. Where pyautogui's X11
 * backend drops a name of its own list that X does have a key for ({@code win}, {@code command},
 * {@code volumeup}, the browser and media keys), the table presses that key: an agent that sends it means it.
 */
public final class KeyTable {

    private static final Map<String, Key> NAMES = new LinkedHashMap<>();
    private static final Map<String, String> ALIASES = new LinkedHashMap<>();

    static {
        // whitespace characters pyautogui accepts as keys
        name("Tab", "\t", "tab");
        name("Return", "\n", "\r", "enter", "return");
        name("space", " ", "space");
        // printable ASCII punctuation: pyautogui's single-character names, keysym names from X's keysymdef.h
        String punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
        String[] keysyms = {"exclam", "quotedbl", "numbersign", "dollar", "percent", "ampersand", "apostrophe",
            "parenleft", "parenright", "asterisk", "plus", "comma", "minus", "period", "slash", "colon", "semicolon",
            "less", "equal", "greater", "question", "at", "bracketleft", "backslash", "bracketright", "asciicircum",
            "underscore", "grave", "braceleft", "bar", "braceright", "asciitilde"};
        for (int i = 0; i < keysyms.length; i++) {
            name(keysyms[i], String.valueOf(punctuation.charAt(i)));
        }
        for (char c = '0'; c <= '9'; c++) {
            name(String.valueOf(c), String.valueOf(c));
        }
        for (char c = 'a'; c <= 'z'; c++) {
            name(String.valueOf(c), String.valueOf(c));
        }
        // not in KEYBOARD_KEYS, but pyautogui's X11 backend maps them (pressed with shift)
        for (char c = 'A'; c <= 'Z'; c++) {
            name(String.valueOf(c), String.valueOf(c));
        }
        name("Alt_L", "alt", "altleft", "option", "optionleft");
        name("Alt_R", "altright", "optionright");
        name("Control_L", "ctrl", "ctrlleft");
        name("Control_R", "ctrlright");
        name("Shift_L", "shift", "shiftleft");
        name("Shift_R", "shiftright");
        // macOS's Command key plays the Super key's part on Linux desktops
        name("Super_L", "win", "winleft", "command");
        name("Super_R", "winright");
        name("Menu", "apps");
        name("BackSpace", "backspace");
        name("Delete", "delete", "del");
        name("Insert", "insert");
        name("Home", "home");
        name("End", "end");
        // Prior/Next are the names X prints for Page_Up/Page_Down (the same keysyms)
        name("Prior", "pageup", "pgup");
        name("Next", "pagedown", "pgdn");
        name("Up", "up");
        name("Down", "down");
        name("Left", "left");
        name("Right", "right");
        name("Escape", "esc", "escape");
        name("Caps_Lock", "capslock");
        name("Num_Lock", "numlock");
        name("Scroll_Lock", "scrolllock");
        name("Print", "printscreen", "print", "prntscrn", "prtsc", "prtscr");
        name("Pause", "pause");
        name("Clear", "clear");
        name("Execute", "execute");
        name("Help", "help");
        name("Select", "select");
        for (int i = 1; i <= 24; i++) {
            name("F" + i, "f" + i);
        }
        for (int i = 0; i <= 9; i++) {
            name("KP_" + i, "num" + i);
        }
        name("KP_Add", "add");
        name("KP_Subtract", "subtract");
        name("KP_Multiply", "multiply");
        name("KP_Divide", "divide");
        name("KP_Decimal", "decimal");
        name("KP_Separator", "separator");
        name("XF86AudioRaiseVolume", "volumeup");
        name("XF86AudioLowerVolume", "volumedown");
        name("XF86AudioMute", "volumemute");
        name("XF86AudioPlay", "playpause");
        name("XF86AudioStop", "stop");
        name("XF86AudioNext", "nexttrack");
        name("XF86AudioPrev", "prevtrack");
        name("XF86AudioMedia", "launchmediaselect");
        name("XF86Mail", "launchmail");
        // Windows' VK_LAUNCH_APP1/2 are the "my computer" and calculator keys of multimedia keyboards
        name("XF86MyComputer", "launchapp1");
        name("XF86Calculator", "launchapp2");
        name("XF86Back", "browserback");
        name("XF86Forward", "browserforward");
        name("XF86Favorites", "browserfavorites");
        name("XF86HomePage", "browserhome");
        name("XF86Refresh", "browserrefresh");
        name("XF86Search", "browsersearch");
        name("XF86Stop", "browserstop");
        name("XF86Sleep", "sleep");
        // input-method keys of Japanese and Korean keyboards
        name("Henkan_Mode", "convert");
        name("Muhenkan", "nonconvert");
        name("Kanji", "kanji");
        name("Kana_Shift", "kana");
        name("Hangul", "hangul", "hanguel");
        name("Hangul_Hanja", "hanja");
        name("Hangul_Jeonja", "junja");
        name("Mode_switch", "modechange");
        name("yen", "yen");
        // Windows-only virtual keys (IME accept/final) and the laptop Fn key, which no X keysym stands for
        name(null, "accept", "final", "fn");

        // xdotool/X keysym names: each keysym of the table, lower-cased, stands for its first pyautogui name
        for (Key key : List.copyOf(NAMES.values())) {
            key.keysym().map(k -> k.toLowerCase(Locale.ROOT))
                    .filter(k -> k.length() > 1 && !NAMES.containsKey(k))
                    .ifPresent(k -> ALIASES.putIfAbsent(k, key.name()));
        }
        alias("winleft", "super", "super_l", "meta", "meta_l", "hyper_l");
        alias("winright", "super_r", "meta_r");
        alias("command", "cmd");
        alias("ctrl", "control");
        alias("ctrlleft", "control_l");
        alias("ctrlright", "control_r");
        alias("altleft", "alt_l");
        alias("altright", "alt_r");
        alias("shiftleft", "shift_l");
        alias("shiftright", "shift_r");
        alias("pageup", "page_up");
        alias("pagedown", "page_down");
        alias("enter", "kp_enter");
        alias("insert", "ins");
        alias("up", "arrowup");
        alias("down", "arrowdown");
        alias("left", "arrowleft");
        alias("right", "arrowright");
        alias("backspace", "\b");
    }

    private KeyTable() {
    }

    private static void name(String keysym, String... names) {
        for (String name : names) {
            if (NAMES.put(name, new Key(name, Optional.ofNullable(keysym))) != null) {
                throw new IllegalStateException("key name '" + name + "' listed twice");
            }
        }
    }

    private static void alias(String name, String... aliases) {
        if (!NAMES.containsKey(name)) {
            throw new IllegalStateException("alias of an unknown key name '" + name + "'");
        }
        for (String alias : aliases) {
            ALIASES.put(alias, name);
        }
    }

    /**
     * The key a name stands for, looked up as pyautogui does (names longer than one character lower-cased), then
     * among the aliases; empty for a name pyautogui would silently ignore.
     */
    public static Optional<Key> lookup(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.empty();
        }
        String folded = name.length() > 1 ? name.toLowerCase(Locale.ROOT) : name;
        Key key = NAMES.get(folded);
        if (key == null && ALIASES.containsKey(folded)) {
            key = NAMES.get(ALIASES.get(folded));
        }
        return Optional.ofNullable(key);
    }

    /** Every pyautogui name of the table (KEYBOARD_KEYS and the upper-case letters), in table order. */
    public static List<Key> keys() {
        return List.copyOf(NAMES.values());
    }

    /** Every alias (lower-case, as looked up) with the pyautogui name it stands for. */
    public static Map<String, String> aliases() {
        return Collections.unmodifiableMap(ALIASES);
    }
}
