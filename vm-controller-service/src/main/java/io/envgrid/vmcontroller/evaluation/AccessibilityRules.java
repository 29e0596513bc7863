package io.envgrid.vmcontroller.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.vmcontroller.task.Parameters;
import java.io.IOException;
import java.io.StringReader;
import java.util.Iterator;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.namespace.NamespaceContext;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathExpression;
import javax.xml.xpath.XPathExpressionException;
import javax.xml.xpath.XPathFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * OSWorld's {@code check_accessibility_tree} (desktop_env/evaluators/metrics/general.py): the result is the desktop's
 * accessibility tree as XML; each rule {@code {xpath, text?, exact?}} selects elements with an XPath 1.0 expression
 * (prefixes {@code st}, {@code attr}, {@code cp}, {@code doc}, {@code docattr}, {@code txt}, {@code val}, {@code act}
 * bound to OSWorld's ubuntu namespaces, which the device agent's tree uses). No element: the score is 0. With
 * {@code text}, a rule scores the best over its elements of equality with the element's own text ({@code exact},
 * default true) or rapidfuzz's ratio; the metric is the product over the rules. OSWorld's CSS {@code selectors} need
 * lxml's CSS translator and are refused; an XPath says the same.
 */
final class AccessibilityRules {

    /** OSWorld's {@code _accessibility_ns_map["ubuntu"]}. */
    private static final Map<String, String> NAMESPACES = Map.of(
            "st", "https://accessibility.ubuntu.example.org/ns/state",
            "attr", "https://accessibility.ubuntu.example.org/ns/attributes",
            "cp", "https://accessibility.ubuntu.example.org/ns/component",
            "doc", "https://accessibility.ubuntu.example.org/ns/document",
            "docattr", "https://accessibility.ubuntu.example.org/ns/document/attributes",
            "txt", "https://accessibility.ubuntu.example.org/ns/text",
            "val", "https://accessibility.ubuntu.example.org/ns/value",
            "act", "https://accessibility.ubuntu.example.org/ns/action");

    private AccessibilityRules() {
    }

    /** Checks one rule of the list; the XPath is compiled, so a bad one is refused before anything runs. */
    static void check(Parameters rule) {
        rule.allow("xpath", "selectors", "text", "exact");
        rule.optionalString("text");
        rule.flag("exact", true);
        if (!rule.has("xpath")) {
            if (rule.has("selectors")) {
                throw rule.unsupported("selectors", rule.where() + ".selectors: CSS selectors are not supported; "
                        + "write the rule as an xpath", "selectors");
            }
            throw rule.invalid("xpath", "is required");
        }
        String xpath = rule.string("xpath");
        if (xpath.length() > RegexBudget.MAX_PATTERN_CHARS) {
            // as a regular expression: a selector is a line, and a deeply nested one could exhaust the compiler's stack
            throw rule.invalid("xpath", "may have up to " + RegexBudget.MAX_PATTERN_CHARS + " characters; it has "
                    + xpath.length());
        }
        try {
            compile(xpath);
        } catch (XPathExpressionException e) {
            throw rule.invalid("xpath", "is not an XPath 1.0 expression: " + e.getMessage());
        }
    }

    /** The score of the checked {@code rules} (a list) on the tree {@code xml}; a tree that is not XML scores 0. */
    static double score(String xml, JsonNode rules) {
        RegexBudget.checkInput("check_accessibility_tree", xml);
        Document tree = parse(xml);
        if (tree == null) {
            return 0.0;
        }
        double total = 1.0;
        for (JsonNode rule : rules) {
            NodeList elements;
            try {
                elements = (NodeList) compile(rule.get("xpath").asText()).evaluate(tree, XPathConstants.NODESET);
            } catch (XPathExpressionException e) {
                return 0.0; // compiled in the check; an expression that selects no node set (a number) selects nothing
            }
            if (elements.getLength() == 0) {
                return 0.0;
            }
            if (rule.hasNonNull("text")) {
                String text = rule.get("text").asText();
                boolean exact = !rule.hasNonNull("exact") || rule.get("exact").asBoolean();
                double best = 0;
                for (int i = 0; i < elements.getLength(); i++) {
                    String own = ownText(elements.item(i));
                    double score = own == null ? 0.0 : exact ? (text.equals(own) ? 1.0 : 0.0) : Metrics.ratio(text, own);
                    best = Math.max(best, score);
                }
                total *= best;
            }
        }
        return total;
    }

    /** lxml's {@code element.text}: the text before the element's first child element; none is {@code None}. */
    private static String ownText(Node element) {
        StringBuilder text = new StringBuilder();
        for (Node child = element.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child.getNodeType() == Node.TEXT_NODE || child.getNodeType() == Node.CDATA_SECTION_NODE) {
                text.append(child.getNodeValue());
            } else if (child.getNodeType() == Node.ELEMENT_NODE) {
                break;
            }
        }
        return text.length() == 0 ? null : text.toString();
    }

    private static XPathExpression compile(String expression) throws XPathExpressionException {
        XPath xpath = XPathFactory.newInstance().newXPath();
        xpath.setNamespaceContext(new Prefixes());
        return xpath.compile(expression);
    }

    /** The tree, or null when it is not XML; no DTD, no external entity (the tree is the desktop's text). */
    private static Document parse(String xml) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setExpandEntityReferences(false);
            var builder = factory.newDocumentBuilder();
            builder.setErrorHandler(null);
            return builder.parse(new InputSource(new StringReader(xml)));
        } catch (SAXException | IOException e) {
            return null;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser lacks secure processing", e);
        }
    }

    private static final class Prefixes implements NamespaceContext {
        @Override
        public String getNamespaceURI(String prefix) {
            return NAMESPACES.getOrDefault(prefix, XMLConstants.NULL_NS_URI);
        }

        @Override
        public String getPrefix(String uri) {
            return NAMESPACES.entrySet().stream().filter(e -> e.getValue().equals(uri)).map(Map.Entry::getKey)
                    .findFirst().orElse(null);
        }

        @Override
        public Iterator<String> getPrefixes(String uri) {
            String prefix = getPrefix(uri);
            return prefix == null ? java.util.Collections.emptyIterator() : java.util.List.of(prefix).iterator();
        }
    }
}
