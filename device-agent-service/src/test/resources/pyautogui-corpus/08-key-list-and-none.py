# expect: press:3 release:3 key:Down keyup:Down key:Down keyup:Down key:Return keyup:Return
pyautogui.rightClick(None, None)
pyautogui.typewrite(['down', 'down', 'enter'], interval=0.05)
