package io.envgrid.vmcontroller.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.vmcontroller.task.Parameters;
import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParserFactory;
import org.jaxen.BaseXPath;
import org.jaxen.JaxenException;
import org.jaxen.Navigator;
import org.jaxen.SimpleNamespaceContext;
import org.jaxen.dom.DocumentNavigator;
import org.w3c.dom.Document;
import org.w3c.dom.Node;
import org.xml.sax.Attributes;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

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

    private static final SimpleNamespaceContext PREFIXES = new SimpleNamespaceContext(NAMESPACES);

    /** XPath 1.0's core functions, the string ones charged; stateless, so shared by every evaluation. */
    private static final ChargedFunctions FUNCTIONS = new ChargedFunctions();

    /**
     * The steps each rule is charged before it runs, besides its XPath's characters: compiling and starting one costs
     * microseconds whatever it selects, and the rules are a list of any length, so {@code [{"xpath": "/r"}] * 50 000}
     * spends the whole budget. OSWorld's tasks have a handful of rules.
     */
    static final long STEPS_PER_RULE = 100;

    /**
     * The longest tree evaluated (characters). Real desktops' trees are tens to hundreds of kB; this bounds the
     * memory a tree takes before anything else is looked at.
     */
    static final int MAX_TREE_CHARS = 1_000_000;

    /**
     * The most elements evaluated. A busy GNOME desktop has a few thousand; the XPath cost grows with a power of
     * this number, which the {@link EvaluationBudget} bounds; this cap bounds the DOM's memory.
     */
    static final int MAX_ELEMENTS = 50_000;

    /**
     * The deepest nesting evaluated. AT-SPI trees of real applications nest a few dozen levels; far deeper ones exist
     * only to exhaust a recursive walk (the engine's and the DOM's).
     */
    static final int MAX_DEPTH = 256;

    private static final String DISALLOW_DOCTYPE = "http://apache.org/xml/features/disallow-doctype-decl";
    private static final String EXTERNAL_GENERAL_ENTITIES = "http://xml.org/sax/features/external-general-entities";
    private static final String EXTERNAL_PARAMETER_ENTITIES =
            "http://xml.org/sax/features/external-parameter-entities";

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
        if (xpath.length() > ChargedRegex.MAX_PATTERN_CHARS) {
            // as a regular expression: a selector is a line, and a deeply nested one could exhaust the compiler's stack
            throw rule.invalid("xpath", "may have up to " + ChargedRegex.MAX_PATTERN_CHARS + " characters; it has "
                    + xpath.length());
        }
        try {
            compile(xpath, DocumentNavigator.getInstance());
        } catch (JaxenException e) {
            throw rule.invalid("xpath", "is not an XPath 1.0 expression: " + e.getMessage());
        }
    }

    /** {@link #score(String, JsonNode, EvaluationBudget)} as a metric alone, with a budget of its own. */
    static double score(String xml, JsonNode rules) {
        return score(xml, rules, new EvaluationBudget());
    }

    /**
     * The score of the checked {@code rules} (a list) on the tree {@code xml}; a tree that is not XML scores 0. The tree
     * is the desktop's, so whatever the worker left there: a tree over {@link #MAX_TREE_CHARS} characters,
     * {@link #MAX_ELEMENTS} elements or {@link #MAX_DEPTH} levels, or with a DTD, is {@link Unscorable} before any
     * DOM is built; the tree's characters (read to parse it) and every unit of the rules' work (tree steps, string
     * work, each rule, each selected element, the fuzzy ratio's |a|·|b|) are charged to the evaluation's
     * {@code budget}, and running out of it is {@link Unscorable} too, on this thread, with nothing left running.
     */
    static double score(String xml, JsonNode rules, EvaluationBudget budget) {
        if (xml.length() > MAX_TREE_CHARS) {
            throw new Unscorable("the accessibility tree has " + xml.length() + " characters; at most "
                    + MAX_TREE_CHARS + " are evaluated");
        }
        StepCountingNavigator navigator = new StepCountingNavigator(budget);
        try {
            // parsing is linear in one tree, but every check of a list parses its own copy: the list costs its length
            navigator.chargeChars(xml.length());
            if (!withinLimits(xml)) {
                return 0.0;
            }
            Document tree = parse(xml);
            if (tree == null) {
                return 0.0;
            }
            double total = 1.0;
            for (JsonNode rule : rules) {
                total *= ruleScore(tree, rule, navigator);
                if (total == 0.0) {
                    return 0.0;
                }
            }
            return total;
        } catch (EvaluationBudget.OutOfSteps e) {
            throw new Unscorable(e.getMessage());
        }
    }

    /** One rule: 0 if its XPath selects nothing, else 1, or with {@code text} the best match over its elements. */
    private static double ruleScore(Document tree, JsonNode rule, StepCountingNavigator navigator) {
        navigator.charge(STEPS_PER_RULE);
        navigator.chargeChars(rule.get("xpath").asText().length()); // compiled once more here, as long as it is
        List<?> selected;
        try {
            selected = compile(rule.get("xpath").asText(), navigator).selectNodes(tree);
        } catch (JaxenException e) {
            return 0.0; // compiled in the check; what fails now (a prefix bound to nothing) selects nothing
        }
        // an expression whose value is no node set (a number, a string) comes back as that one value: no element
        navigator.charge(selected.size()); // each one is looked at below, and with text read and compared
        List<Node> elements = selected.stream().filter(Node.class::isInstance).map(Node.class::cast).toList();
        if (elements.isEmpty()) {
            return 0.0;
        }
        if (!rule.hasNonNull("text")) {
            return 1.0;
        }
        String text = rule.get("text").asText();
        boolean exact = !rule.hasNonNull("exact") || rule.get("exact").asBoolean();
        double best = 0;
        for (Node element : elements) {
            String own = ownText(element, navigator);
            // the ratio charges its |a|·|b| table itself: 2 000 elements of 400 characters against 10 000 took 14.8 s
            double score = own == null ? 0.0 : exact ? (text.equals(own) ? 1.0 : 0.0)
                    : Metrics.ratio(text, own, navigator.budget());
            best = Math.max(best, score);
        }
        return best;
    }

    /**
     * Streams through the tree once, with no DOM, counting elements and depth: false when it is not well-formed XML
     * (it scores 0, as before); {@link Unscorable} past a limit or at a DTD. A DTD is refused outright, so no entity
     * is ever declared, let alone expanded (billion laughs) or fetched (external entities).
     */
    private static boolean withinLimits(String xml) {
        try {
            SAXParserFactory factory = SAXParserFactory.newInstance();
            factory.setNamespaceAware(true);
            secure(factory);
            factory.newSAXParser().parse(new InputSource(new StringReader(xml)), new DefaultHandler() {
                private int depth;
                private int elements;

                @Override
                public void startElement(String uri, String local, String name, Attributes attributes)
                        throws SAXException {
                    if (++elements > MAX_ELEMENTS) {
                        throw new OverLimit("the accessibility tree has more than " + MAX_ELEMENTS + " elements");
                    }
                    if (++depth > MAX_DEPTH) {
                        throw new OverLimit("the accessibility tree nests deeper than " + MAX_DEPTH + " levels");
                    }
                }

                @Override
                public void endElement(String uri, String local, String name) {
                    depth--;
                }
            });
            return true;
        } catch (OverLimit e) {
            throw new Unscorable(e.getMessage());
        } catch (SAXException | IOException e) {
            if (xml.contains("<!DOCTYPE")) { // the parser's message is localised; the markup is not
                throw new Unscorable("the accessibility tree declares a DTD; trees with DTDs or entities are not "
                        + "evaluated");
            }
            return false;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser lacks secure processing", e);
        }
    }

    /**
     * lxml's {@code element.text}: the text before the element's first child element; none is {@code None}. Each
     * child looked at is a step and the text's characters are charged (read once, compared once).
     */
    private static String ownText(Node element, StepCountingNavigator navigator) {
        StringBuilder text = new StringBuilder();
        for (Node child = element.getFirstChild(); child != null; child = child.getNextSibling()) {
            navigator.charge(1);
            if (child.getNodeType() == Node.TEXT_NODE || child.getNodeType() == Node.CDATA_SECTION_NODE) {
                text.append(child.getNodeValue());
            } else if (child.getNodeType() == Node.ELEMENT_NODE) {
                break;
            }
        }
        navigator.chargeChars(text.length());
        return text.length() == 0 ? null : text.toString();
    }

    /**
     * The expression over {@code navigator}, with OSWorld's prefixes and XPath 1.0's functions only: Jaxen's
     * extensions include XSLT's {@code document()}, which would read a URL. {@code new BaseXPath} with a navigator
     * (not {@code DOMXPath}) keeps the navigator ours; the parser it loads by name is registered for native images
     * in {@link JaxenReflection}.
     */
    private static BaseXPath compile(String expression, Navigator navigator) throws JaxenException {
        BaseXPath xpath = new BaseXPath(expression, navigator);
        xpath.setNamespaceContext(PREFIXES);
        xpath.setFunctionContext(FUNCTIONS);
        return xpath;
    }

    /** The tree, or null when it is not XML; parsed as securely as {@link #withinLimits} reads it. */
    private static Document parse(String xml) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature(DISALLOW_DOCTYPE, true);
            factory.setFeature(EXTERNAL_GENERAL_ENTITIES, false);
            factory.setFeature(EXTERNAL_PARAMETER_ENTITIES, false);
            factory.setXIncludeAware(false);
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

    /** No DTD (so no entity of any kind), no external entity, the JDK's secure-processing limits. */
    private static void secure(SAXParserFactory factory) throws ParserConfigurationException, SAXException {
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setFeature(DISALLOW_DOCTYPE, true);
        factory.setFeature(EXTERNAL_GENERAL_ENTITIES, false);
        factory.setFeature(EXTERNAL_PARAMETER_ENTITIES, false);
        factory.setXIncludeAware(false);
    }

    /** Stops the counting pass at a limit; no stack trace, it is an expected outcome. */
    private static final class OverLimit extends SAXException {
        OverLimit(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
