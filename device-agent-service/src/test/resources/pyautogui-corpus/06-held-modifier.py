# expect: key:Alt_L key:Tab keyup:Tab keyup:Alt_L
pyautogui.keyDown('alt')
pyautogui.press('tab')
pyautogui.keyUp('alt')
