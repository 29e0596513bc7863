package io.envgrid.desktopkeys;

import java.util.Optional;

/**
 * One key of the {@link KeyTable}.
 *
 * @param name   pyautogui's name for it (what generated pyautogui code passes, e.g. {@code "pageup"}, {@code "+"})
 * @param keysym the X keysym it presses, as X names it ({@code "Prior"}, {@code "plus"}); empty for the few
 *               pyautogui names no X key stands for ({@code fn}), which press nothing
 */
public record Key(String name, Optional<String> keysym) {
}
