# expect: press:1 release:1 key:Control_L key:a keyup:a keyup:Control_L key:Delete keyup:Delete
pyautogui.click(x=1000, y=200, button='left'); pyautogui.hotkey('ctrl', 'a'); pyautogui.press('delete')
