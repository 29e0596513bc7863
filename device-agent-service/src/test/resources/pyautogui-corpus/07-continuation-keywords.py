# expect: press:1 release:1 press:1 release:1 key:F2 keyup:F2
pyautogui.doubleClick(1000, \
    200, interval=0.05)
pyautogui.press(keys='f2', presses=1, interval=0.0)
