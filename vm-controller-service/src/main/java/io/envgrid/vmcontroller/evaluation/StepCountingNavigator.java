package io.envgrid.vmcontroller.evaluation;

import java.util.Collections;
import java.util.Iterator;
import org.jaxen.FunctionCallException;
import org.jaxen.UnsupportedAxisException;
import org.jaxen.dom.DocumentNavigator;
import org.w3c.dom.Node;

/**
 * Jaxen's DOM navigator charging the evaluation's {@link EvaluationBudget}: every node an axis iterator yields,
 * every parent looked up and every node a string value reads is one step, and every string value handed to Jaxen is
 * charged by its characters; {@link ChargedFunctions}' string functions and {@link AccessibilityRules} charge the
 * same budget for their own work. Past the budget the evaluation throws {@link EvaluationBudget.OutOfSteps} on the
 * calling thread, so {@code //*[count(//*) > 0]} over 40 000 elements (1.6e9 steps) and a {@code contains()} of
 * 200 000 characters in 400 000 (4e10 comparisons) both stop without a timer or a thread of their own. One instance
 * serves the rules of one metric; the budget behind it is the whole evaluation's.
 */
final class StepCountingNavigator extends DocumentNavigator {

    private final EvaluationBudget budget;

    StepCountingNavigator(EvaluationBudget budget) {
        this.budget = budget;
    }

    /** The evaluation's budget this navigator charges. */
    EvaluationBudget budget() {
        return budget;
    }

    private void step() {
        budget.step();
    }

    /** Charges {@code count} (non-negative) steps of work done outside the tree's axes; throws past the budget. */
    void charge(long count) {
        budget.charge(count);
    }

    /** Charges {@code count} (non-negative) characters of string work; throws past the budget. */
    void chargeChars(long count) {
        budget.chargeChars(count);
    }

    /** A string value handed to Jaxen, charged by its length: comparisons and functions re-read it each time. */
    private String charged(String value) {
        if (value != null) {
            chargeChars(value.length());
        }
        return value;
    }

    /** An axis of the navigator extended here, as a method reference ({@code super::getChildAxisIterator}). */
    @FunctionalInterface
    private interface Axis<E extends Exception> {
        Iterator<?> of(Object node) throws E;
    }

    /** {@code axis} of {@code node} with each node it yields counted; a context that is no node has no axes. */
    private <E extends Exception> Iterator<?> counted(Object node, Axis<E> axis) throws E {
        return node instanceof Node ? counted(axis.of(node)) : Collections.emptyIterator();
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
        return counted(node, super::getChildAxisIterator);
    }

    @Override
    public Iterator getDescendantAxisIterator(Object node) throws UnsupportedAxisException {
        return counted(node, super::getDescendantAxisIterator);
    }

    @Override
    public Iterator getParentAxisIterator(Object node) {
        return counted(node, super::getParentAxisIterator);
    }

    @Override
    public Iterator getAncestorAxisIterator(Object node) throws UnsupportedAxisException {
        return counted(node, super::getAncestorAxisIterator);
    }

    @Override
    public Iterator getFollowingSiblingAxisIterator(Object node) {
        return counted(node, super::getFollowingSiblingAxisIterator);
    }

    @Override
    public Iterator getPrecedingSiblingAxisIterator(Object node) {
        return counted(node, super::getPrecedingSiblingAxisIterator);
    }

    @Override
    public Iterator getFollowingAxisIterator(Object node) {
        return counted(node, super::getFollowingAxisIterator);
    }

    @Override
    public Iterator getPrecedingAxisIterator(Object node) throws UnsupportedAxisException {
        return counted(node, super::getPrecedingAxisIterator);
    }

    @Override
    public Iterator getAttributeAxisIterator(Object node) {
        return counted(node, super::getAttributeAxisIterator);
    }

    @Override
    public Iterator getNamespaceAxisIterator(Object node) {
        return counted(node, super::getNamespaceAxisIterator);
    }

    @Override
    public Iterator getSelfAxisIterator(Object node) throws UnsupportedAxisException {
        return counted(node, super::getSelfAxisIterator);
    }

    @Override
    public Iterator getDescendantOrSelfAxisIterator(Object node) throws UnsupportedAxisException {
        return counted(node, super::getDescendantOrSelfAxisIterator);
    }

    @Override
    public Iterator getAncestorOrSelfAxisIterator(Object node) throws UnsupportedAxisException {
        return counted(node, super::getAncestorOrSelfAxisIterator);
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
}
