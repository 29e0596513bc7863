# expect: press:1 release:1 key:h keyup:h key:i keyup:i key:Return keyup:Return
# One agent step: click into the field, type, confirm.
import pyautogui
import time

pyautogui.click(1000, 200)
time.sleep(0.1)
pyautogui.typewrite("hi", interval=0.01)
pyautogui.press("enter")
