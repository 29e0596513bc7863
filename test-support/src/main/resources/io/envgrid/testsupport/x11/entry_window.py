# A GTK 3 window holding one text entry, for the typing tests. Prints "READY" once the entry has the keyboard
# focus, and "TEXT[<the entry's text>]" when Return activates the entry, then exits. Arguments: x y of the window.
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
from gi.repository import Gdk, Gtk  # noqa: E402


def on_map(window, _event):
    # no window manager on the test display: take the focus ourselves
    window.get_window().focus(Gdk.CURRENT_TIME)
    return False


def on_focus(_entry, _event):
    print("READY", flush=True)
    return False


def on_activate(entry):
    print("TEXT[%s]" % entry.get_text(), flush=True)
    Gtk.main_quit()


window = Gtk.Window(title="envgrid typing test")
window.set_default_size(400, 40)
window.move(int(sys.argv[1]), int(sys.argv[2]))
entry = Gtk.Entry()
entry.connect("focus-in-event", on_focus)
entry.connect("activate", on_activate)
window.add(entry)
window.connect("map-event", on_map)
window.connect("destroy", Gtk.main_quit)
window.show_all()
Gtk.main()
