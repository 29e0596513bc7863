# expect: key:a keyup:a key:b keyup:b key:c keyup:c key:d keyup:d key:e keyup:e key:backslash keyup:backslash key:n keyup:n key:Tab keyup:Tab
# hex, \u, \N{...}, octal, triple quotes, a raw string and a tab, concatenated across lines inside the call
pyautogui.write('\x61' "\u0062" '\N{LATIN SMALL LETTER C}'
                '\144' """e""" r'\n' U'\t')
