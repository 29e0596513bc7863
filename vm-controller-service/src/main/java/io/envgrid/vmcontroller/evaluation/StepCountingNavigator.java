package io.envgrid.vmcontroller.evaluation;

import java.util.Collections;
import java.util.Iterator;
import org.jaxen.FunctionCallException;
import org.jaxen.UnsupportedAxisException;
import org.jaxen.dom.DocumentNavigator;
import org.w3c.dom.Node;

/**
 * Jaxen's DOM navigator with the evaluation's work budget, counted in steps: every node an axis iterator yields,
 * every parent looked up and every node a string value reads is one step, every {@link #CHARS_PER_STEP} characters
 * of string work are one more ({@link #chargeChars}: string values handed to Jaxen, what {@link ChargedFunctions}'
 * string functions handle, the fuzzy ratio's |a|·|b|), and {@link AccessibilityRules} charges each rule and each
 * selected element too. Past {@link #MAX_STEPS} the evaluation throws {@link OutOfSteps} on the calling thread, so
 * {@code //*[count(//*) > 0]} over 40 000 elements (1.6e9 steps) and a {@code contains()} of 200 000 characters in
 * 400 000 (4e10 comparisons) both stop without a timer or a thread of their own. One instance serves the rules of
 * one metric, so they share the budget.
 */
final class StepCountingNavigator extends DocumentNavigator {

    /**
     * The steps all XPath rules of one metric may take together. OSWorld's rules take a few thousand on real trees
     * (one {@code //} over a GNOME desktop's few thousand elements); five million take under a second on one core.
     */
    static final long MAX_STEPS = 5_000_000;

    /**
     * Characters of string work charged as one step. A step (an iterator's next node through the DOM) costs on the
     * order of a hundred nanoseconds, a character compared or copied about one, and a fuzzy-ratio cell about two
     * (review8: 8e9 cells in 14.8 s), so sixteen characters are charged as a step: string work is over-counted, never
     * under-counted, and the whole budget still holds 80 million characters, far more than OSWorld's rules handle.
     */
    static final long CHARS_PER_STEP = 16;

    private final long maxSteps;
    private long steps;
    /** Characters charged but not yet a whole step. */
    private long chars;

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

    /** Charges {@code count} (non-negative) steps of work done outside the tree's axes; throws past the budget. */
    void charge(long count) {
        steps = count > maxSteps - steps ? maxSteps + 1 : steps + count; // saturates: count may be Long.MAX_VALUE
        if (steps > maxSteps) {
            throw new OutOfSteps(maxSteps);
        }
    }

    /** Charges {@code count} (non-negative) characters of string work, a step per {@link #CHARS_PER_STEP}. */
    void chargeChars(long count) {
        long total = count > Long.MAX_VALUE - chars ? Long.MAX_VALUE : chars + count;
        chars = total % CHARS_PER_STEP;
        charge(total / CHARS_PER_STEP);
    }

    /** A string value handed to Jaxen, charged by its length: comparisons and functions re-read it each time. */
    private String charged(String value) {
        if (value != null) {
            chargeChars(value.length());
        }
        return value;
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
        return charged(value.toString());
    }

    // The other string values are a field of their node, free to read, but whatever Jaxen does with them (compare
    // them pair by pair in `=`, hand them to a function, parse them as numbers) is linear in their length at least.

    @Override
    public String getAttributeStringValue(Object attribute) {
        return charged(super.getAttributeStringValue(attribute));
    }

    @Override
    public String getTextStringValue(Object text) {
        return charged(super.getTextStringValue(text));
    }

    @Override
    public String getCommentStringValue(Object comment) {
        return charged(super.getCommentStringValue(comment));
    }

    @Override
    public String getNamespaceStringValue(Object namespace) {
        return charged(super.getNamespaceStringValue(namespace));
    }

    @Override
    public String getProcessingInstructionData(Object processingInstruction) {
        return charged(super.getProcessingInstructionData(processingInstruction));
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
            super("the XPath rules took more than " + maxSteps + " steps on the accessibility tree (tree steps, "
                    + CHARS_PER_STEP + " characters of string work a step, rules and selected elements)", null, false,
                    false);
        }
    }
}
