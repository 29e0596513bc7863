package io.envgrid.vmcontroller.evaluation;

import java.util.Collections;
import java.util.Iterator;
import org.jaxen.FunctionCallException;
import org.jaxen.UnsupportedAxisException;
import org.jaxen.dom.DocumentNavigator;
import org.w3c.dom.Node;

/**
 * Jaxen's DOM navigator with a step budget: every node an axis iterator yields, every parent looked up and every
 * node a string value reads is one step, and past {@link #MAX_STEPS} the evaluation throws {@link OutOfSteps} on the
 * calling thread. Jaxen reaches the tree only through its navigator, so this bounds everything an XPath 1.0
 * expression can ask of it ({@code //*[count(//*) > 0]} over 40 000 elements would be 1.6e9 steps) without a timer
 * or a thread of its own. One instance serves the rules of one metric, so they share the budget.
 */
final class StepCountingNavigator extends DocumentNavigator {

    /**
     * The steps all XPath rules of one metric may take together. OSWorld's rules take a few thousand on real trees
     * (one {@code //} over a GNOME desktop's few thousand elements); five million take under a second on one core.
     */
    static final long MAX_STEPS = 5_000_000;

    private final long maxSteps;
    private long steps;

    StepCountingNavigator() {
        this(MAX_STEPS);
    }

    /** A navigator with another budget; the tests use it to show what an unbounded evaluation costs. */
    StepCountingNavigator(long maxSteps) {
        this.maxSteps = maxSteps;
    }

    /** The steps taken so far. */
    long steps() {
        return steps;
    }

    private void step() {
        if (++steps > maxSteps) {
            throw new OutOfSteps(maxSteps);
        }
    }

    private Iterator<?> counted(Iterator<?> axis) {
        return new Iterator<Object>() {
            @Override
            public boolean hasNext() {
                return axis.hasNext();
            }

            @Override
            public Object next() {
                step();
                return axis.next();
            }
        };
    }

    // Every axis, the ones DefaultNavigator builds from the others included: a descendant walk pays for each child
    // twice (once in the child axis it is built on), which only makes the budget count more, never less. A context
    // that is no node (position()//a: a path from a number, a type error in XPath 1.0) has no axes, so the path
    // selects nothing, as a rule whose value is no node set; DocumentNavigator would fail casting it to a Node.

    @Override
    public Iterator getChildAxisIterator(Object node) {
        return node instanceof Node ? counted(super.getChildAxisIterator(node)) : Collections.emptyIterator();
    }

    @Override
    public Iterator getDescendantAxisIterator(Object node) throws UnsupportedAxisException {
        return node instanceof Node ? counted(super.getDescendantAxisIterator(node)) : Collections.emptyIterator();
    }

    @Override
    public Iterator getParentAxisIterator(Object node) {
        return node instanceof Node ? counted(super.getParentAxisIterator(node)) : Collections.emptyIterator();
    }

    @Override
    public Iterator getAncestorAxisIterator(Object node) throws UnsupportedAxisException {
        return node instanceof Node ? counted(super.getAncestorAxisIterator(node)) : Collections.emptyIterator();
    }

    @Override
    public Iterator getFollowingSiblingAxisIterator(Object node) {
        return node instanceof Node ? counted(super.getFollowingSiblingAxisIterator(node)) : Collections.emptyIterator();
    }

    @Override
    public Iterator getPrecedingSiblingAxisIterator(Object node) {
        return node instanceof Node ? counted(super.getPrecedingSiblingAxisIterator(node)) : Collections.emptyIterator();
    }

    @Override
    public Iterator getFollowingAxisIterator(Object node) {
        return node instanceof Node ? counted(super.getFollowingAxisIterator(node)) : Collections.emptyIterator();
    }

    @Override
    public Iterator getPrecedingAxisIterator(Object node) throws UnsupportedAxisException {
        return node instanceof Node ? counted(super.getPrecedingAxisIterator(node)) : Collections.emptyIterator();
    }

    @Override
    public Iterator getAttributeAxisIterator(Object node) {
        return node instanceof Node ? counted(super.getAttributeAxisIterator(node)) : Collections.emptyIterator();
    }

    @Override
    public Iterator getNamespaceAxisIterator(Object node) {
        return node instanceof Node ? counted(super.getNamespaceAxisIterator(node)) : Collections.emptyIterator();
    }

    @Override
    public Iterator getSelfAxisIterator(Object node) throws UnsupportedAxisException {
        return node instanceof Node ? counted(super.getSelfAxisIterator(node)) : Collections.emptyIterator();
    }

    @Override
    public Iterator getDescendantOrSelfAxisIterator(Object node) throws UnsupportedAxisException {
        return node instanceof Node ? counted(super.getDescendantOrSelfAxisIterator(node)) : Collections.emptyIterator();
    }

    @Override
    public Iterator getAncestorOrSelfAxisIterator(Object node) throws UnsupportedAxisException {
        return node instanceof Node ? counted(super.getAncestorOrSelfAxisIterator(node)) : Collections.emptyIterator();
    }

    /** Counted too: Jaxen walks up parents outside the axes, to sort node sets into document order. */
    @Override
    public Object getParentNode(Object node) {
        step();
        return super.getParentNode(node);
    }

    /**
     * An element's (or the document's) string value, read here node by node: Jaxen's own reads the whole subtree
     * with no axis, so {@code //*[string(/) = 'x']} would cost the tree's size per element unseen by the budget.
     */
    @Override
    public String getElementStringValue(Object element) {
        StringBuilder value = new StringBuilder();
        Node root = (Node) element; // Jaxen asks only what isElement or isDocument accepted, both DOM nodes
        Node node = root.getFirstChild();
        while (node != null) {
            step();
            if (node.getNodeType() == Node.TEXT_NODE || node.getNodeType() == Node.CDATA_SECTION_NODE) {
                value.append(node.getNodeValue());
            }
            node = nextInDocumentOrder(root, node);
        }
        return value.toString();
    }

    /** The node after {@code node} in document order within {@code root}'s subtree, or null; no recursion. */
    private static Node nextInDocumentOrder(Node root, Node node) {
        if (node.getFirstChild() != null) {
            return node.getFirstChild();
        }
        for (Node at = node; at != null && at != root; at = at.getParentNode()) {
            if (at.getNextSibling() != null) {
                return at.getNextSibling();
            }
        }
        return null;
    }

    /** XSLT's {@code document()} would fetch a URL from the controller: no rule reads anything but the tree. */
    @Override
    public Object getDocument(String uri) throws FunctionCallException {
        throw new FunctionCallException("document() is not available to accessibility rules");
    }

    /** The budget ran out; no stack trace, it is an expected outcome that ends the evaluation. */
    static final class OutOfSteps extends RuntimeException {
        OutOfSteps(long maxSteps) {
            super("the XPath rules took more than " + maxSteps + " steps on the accessibility tree", null, false,
                    false);
        }
    }
}
