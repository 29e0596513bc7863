# Prints the AT-SPI accessibility tree of the X display named by DISPLAY as XML, in the shape
# OSWorld's in-VM server answers GET /accessibility with: one element per accessible, tagged with
# its role ("push-button"), its name, st:* states, attr:* attributes, cp:screencoord / cp:size,
# val:value/min/max/step, act:<action>_desc / _kb, doc:locale and docattr:* of documents, txt:*
# default text attributes, and its text. The root (desktop-frame) carries the screen's real size
# given as the first argument ("1280x800", read by the agent from the X server), since the AT-SPI
# desktop object does not know it. Exit status 3: pyatspi is missing; 4: no accessibility bus.
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
    "doc": "https://accessibility.ubuntu.example.org/ns/document",
    "docattr": "https://accessibility.ubuntu.example.org/ns/document/attributes",
    "txt": "https://accessibility.ubuntu.example.org/ns/text",
    "val": "https://accessibility.ubuntu.example.org/ns/value",
    "act": "https://accessibility.ubuntu.example.org/ns/action",
}
MAX_DEPTH = 50  # OSWorld's limits: deeper nodes and children past this many are left out
MAX_CHILDREN = 1024


def qualified(prefix, name):
    return "{%s}%s" % (NAMESPACES[prefix], name)


def xml_name(text):
    cleaned = "".join(c if c.isalnum() or c in "-_." else "-" for c in text.strip())
    return cleaned if cleaned and (cleaned[0].isalpha() or cleaned[0] == "_") else "x-" + cleaned


def attribute_pairs(pairs):
    """AT-SPI attribute sets come as "name:value" strings (or a dict from newer pyatspi)."""
    if isinstance(pairs, dict):
        return list(pairs.items())
    return [tuple(pair.split(":", 1)) if ":" in pair else (pair, "") for pair in pairs]


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
        for key, value in attribute_pairs(accessible.getAttributes()):
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
        for name, read in (("value", lambda: value.currentValue), ("min", lambda: value.minimumValue),
                           ("max", lambda: value.maximumValue), ("step", lambda: value.minimumIncrement)):
            try:
                node.set(qualified("val", name), str(read()))
            except Exception:
                pass
    except Exception:
        pass
    try:
        action = accessible.queryAction()
        for index in range(action.nActions):
            name = xml_name(action.getName(index).replace(" ", "-"))
            node.set(qualified("act", name + "_desc"), action.getDescription(index) or "")
            node.set(qualified("act", name + "_kb"), action.getKeyBinding(index) or "")
    except Exception:
        pass
    try:
        document = accessible.queryDocument()
        node.set(qualified("doc", "locale"), document.getLocale() or "")
        for key, value in attribute_pairs(document.getAttributes()):
            node.set(qualified("docattr", xml_name(key)), value)
    except Exception:
        pass
    try:
        text = accessible.queryText()
        content = text.getText(0, text.characterCount)
        if content:
            # an embedded object's placeholder and an undecodable character, as OSWorld drops them
            node.text = content.replace("\ufffc", "").replace("\ufffd", "")
        for key, value in attribute_pairs(text.getDefaultAttributeSet()):
            node.set(qualified("txt", xml_name(key)), value)
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
    root = element(desktop, 0)
    size = sys.argv[1] if len(sys.argv) > 1 else ""
    if "x" in size:
        width, height = size.split("x", 1)
        root.set(qualified("cp", "screencoord"), "(0, 0)")
        root.set(qualified("cp", "size"), "(%d, %d)" % (int(width), int(height)))
    xml = ET.tostring(root, encoding="unicode")
    # ElementTree declares only the namespaces in use; OSWorld's tree declares all of them on the root
    unused = "".join(' xmlns:%s="%s"' % (prefix, uri) for prefix, uri in NAMESPACES.items()
                     if 'xmlns:%s="' % prefix not in xml.split(">", 1)[0])
    end_of_tag = xml.index(">")
    if xml[end_of_tag - 1] == "/":
        end_of_tag -= 1
    sys.stdout.write(xml[:end_of_tag] + unused + xml[end_of_tag:])


main()
