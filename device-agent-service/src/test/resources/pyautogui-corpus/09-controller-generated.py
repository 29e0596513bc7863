# expect: press:1 release:1 key:Control_L key:minus keyup:minus keyup:Control_L key:Prior keyup:Prior
# the code the vm-controller generates for computer_13 CLICK, HOTKEY and PRESS
pyautogui.click(button='left', x=1000, y=200, clicks=1)
pyautogui.hotkey('ctrl', '-')
pyautogui.press('pageup')
