# expect: press:5 release:5 press:5 release:5 press:5 release:5 press:1 release:1
pyautogui.moveTo(1000, 200, duration=0.5)
pyautogui.scroll(-3)
pyautogui.dragTo(1100, 250, duration=1.0, button='left')
