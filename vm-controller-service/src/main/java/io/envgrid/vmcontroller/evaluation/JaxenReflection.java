package io.envgrid.vmcontroller.evaluation;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Jaxen's {@code BaseXPath} creates its parser with {@code Class.forName} on a name read from a system property
 * ({@code org.saxpath.driver}, by default {@code org.jaxen.saxpath.base.XPathReader}); a native image keeps only the
 * classes it is told are loaded by name, so that default is registered here. Nothing else of Jaxen's is reflective
 * on the path {@link AccessibilityRules} takes.
 */
@RegisterForReflection(targets = org.jaxen.saxpath.base.XPathReader.class)
final class JaxenReflection {

    private JaxenReflection() {
    }
}
