# expect: key:Control_L key:s keyup:s keyup:Control_L key:Escape keyup:Escape
pyautogui.hotkey('ctrl', 's')  # save the document
time.sleep(0.2)

pyautogui.press('esc')  # close the dialog
