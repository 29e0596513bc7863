# Prints the AT-SPI accessibility tree of the X display named by DISPLAY as XML, in the shape
# OSWorld's in-VM server answers GET /accessibility with: one element per accessible, tagged with
# its role ("push-button"), its name, st:* states, attr:* attributes, cp:screencoord / cp:size,
# val:value, and its text. Exit status 3: pyatspi is missing; 4: no accessibility bus.
import sys

try:
    import pyatspi
except ImportError as error:
    sys.stderr.write("pyatspi is not installed for %s (Debian: python3-pyatspi): %s\n" % (sys.executable, error))
    sys.exit(3)

import xml.etree.ElementTree as ET

NAMESPACES = {
    "st": "https://accessibility.ubuntu.example.org/ns/state",
    "attr": "https://accessibility.ubuntu.example.org/ns/attributes",
    "cp": "https://accessibility.ubuntu.example.org/ns/component",
    "txt": "https://accessibility.ubuntu.example.org/ns/text",
    "val": "https://accessibility.ubuntu.example.org/ns/value",
}
MAX_DEPTH = int(sys.argv[1]) if len(sys.argv) > 1 else 50
MAX_CHILDREN = int(sys.argv[2]) if len(sys.argv) > 2 else 1024


def qualified(prefix, name):
    return "{%s}%s" % (NAMESPACES[prefix], name)


def xml_name(text):
    cleaned = "".join(c if c.isalnum() or c in "-_." else "-" for c in text.strip())
    return cleaned if cleaned and (cleaned[0].isalpha() or cleaned[0] == "_") else "x-" + cleaned


def element(accessible, depth):
    try:
        role = accessible.getRoleName() or "unknown"
    except Exception:
        role = "defunct"
    node = ET.Element(xml_name(role.replace(" ", "-")))
    try:
        node.set("name", accessible.name or "")
    except Exception:
        node.set("name", "")
    try:
        for state in accessible.getState().getStates():
            node.set(qualified("st", xml_name(pyatspi.stateToString(state).replace(" ", "-"))), "true")
    except Exception:
        pass
    try:
        for pair in accessible.getAttributes():
            key, _, value = pair.partition(":")
            node.set(qualified("attr", xml_name(key)), value)
    except Exception:
        pass
    try:
        component = accessible.queryComponent()
        x, y = component.getPosition(pyatspi.XY_SCREEN)
        width, height = component.getSize()
        node.set(qualified("cp", "screencoord"), "(%d, %d)" % (x, y))
        node.set(qualified("cp", "size"), "(%d, %d)" % (width, height))
    except Exception:
        pass
    try:
        value = accessible.queryValue()
        node.set(qualified("val", "value"), str(value.currentValue))
    except Exception:
        pass
    try:
        text = accessible.queryText()
        content = text.getText(0, text.characterCount)
        if content:
            node.text = content
    except Exception:
        pass
    if depth < MAX_DEPTH:
        try:
            count = min(accessible.childCount, MAX_CHILDREN)
        except Exception:
            count = 0
        for index in range(count):
            try:
                child = accessible.getChildAtIndex(index)
            except Exception:
                continue
            if child is not None:
                node.append(element(child, depth + 1))
    return node


def main():
    for prefix, uri in NAMESPACES.items():
        ET.register_namespace(prefix, uri)
    try:
        desktop = pyatspi.Registry.getDesktop(0)
    except Exception as error:
        sys.stderr.write("no accessibility bus on this display: %s\n" % error)
        sys.exit(4)
    sys.stdout.write(ET.tostring(element(desktop, 0), encoding="unicode"))


main()
