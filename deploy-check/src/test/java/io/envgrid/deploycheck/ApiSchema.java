package io.envgrid.deploycheck;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Validates documents against the Kubernetes API schema of the target version, 1.32: the OpenAPI models of
 * {@code io.kubernetes:client-java-api} 23.0.0, generated from that release's OpenAPI document. Each model's
 * {@code validateJsonElement} rejects a field the schema does not define, a missing required field and a value
 * of the wrong JSON type, recursively. Kinds outside the core API (the Gateway API's HTTPRoute, a CRD) have no
 * model there; fabric8's typed parse still checks them ({@link Manifests}).
 */
final class ApiSchema {

    private static final String MODELS = "io.kubernetes.client.openapi.models.";
    /** CRD kinds: validated by the typed parse only. */
    static final Set<String> OUTSIDE_CORE_API = Set.of("gateway.networking.k8s.io");

    private ApiSchema() {
    }

    /** One finding per document the schema rejects. */
    static List<Finding> validate(List<ObjectNode> documents) {
        List<Finding> findings = new ArrayList<>();
        for (ObjectNode document : documents) {
            String apiVersion = document.path("apiVersion").asText();
            String kind = document.path("kind").asText();
            String name = kind + " " + document.path("metadata").path("namespace").asText("") + "/"
                    + document.path("metadata").path("name").asText();
            String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
            if (apiVersion.isEmpty() || kind.isEmpty()) {
                findings.add(new Finding(name, "has no apiVersion or kind"));
                continue;
            }
            if (OUTSIDE_CORE_API.contains(group)) {
                continue;
            }
            String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
            String model = MODELS + version.substring(0, 1).toUpperCase(Locale.ROOT) + version.substring(1) + kind;
            Method validate;
            try {
                validate = Class.forName(model).getMethod("validateJsonElement", JsonElement.class);
            } catch (ClassNotFoundException | NoSuchMethodException e) {
                findings.add(new Finding(name, apiVersion + " " + kind + " is not in the Kubernetes 1.32 API"));
                continue;
            }
            try {
                validate.invoke(null, JsonParser.parseString(document.toString()));
            } catch (InvocationTargetException e) {
                findings.add(new Finding(name, "rejected by the Kubernetes 1.32 schema: " + e.getCause().getMessage()));
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("cannot call " + validate, e);
            }
        }
        return findings;
    }
}
