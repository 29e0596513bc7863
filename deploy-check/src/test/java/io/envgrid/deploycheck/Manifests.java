package io.envgrid.deploycheck;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A rendered overlay: its YAML documents and the same documents as fabric8 typed objects. Parsing reports
 * every document fabric8 does not know the kind of and every field its model has no property for (fabric8
 * keeps those in {@code additionalProperties} instead of failing, so {@link UnknownFields} looks there).
 *
 * @param documents the raw documents, in render order
 * @param objects   the typed objects, same order
 * @param findings  kinds and fields the typed model refused
 */
record Manifests(List<ObjectNode> documents, List<HasMetadata> objects, List<Finding> findings) {

    private static final YAMLMapper YAML = new YAMLMapper(new YAMLFactory());
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    /** Parses kustomize's output (multi-document YAML). */
    static Manifests parse(String yaml) throws IOException {
        List<ObjectNode> documents = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(yaml)) {
            for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
                JsonNode node = it.next();
                if (node instanceof ObjectNode object) {
                    documents.add(object);
                }
            }
        }
        return of(documents);
    }

    /** Types the given documents (after a test changed one). */
    static Manifests of(List<ObjectNode> documents) {
        List<HasMetadata> objects = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        for (ObjectNode document : documents) {
            String name = document.path("kind").asText() + " " + document.path("metadata").path("namespace").asText("")
                    + "/" + document.path("metadata").path("name").asText();
            KubernetesResource typed;
            try {
                typed = JSON.treeToValue(document, KubernetesResource.class);
            } catch (IOException | IllegalArgumentException e) {
                findings.add(new Finding(name, "does not parse as a typed object: " + e.getMessage()));
                continue;
            }
            if (typed instanceof GenericKubernetesResource || !(typed instanceof HasMetadata object)) {
                findings.add(new Finding(name, "kind " + document.path("apiVersion").asText() + " "
                        + document.path("kind").asText() + " has no typed model (unknown kind or apiVersion)"));
                continue;
            }
            UnknownFields.in(object).forEach(path -> findings.add(new Finding(name, "unknown field " + path)));
            objects.add(object);
        }
        return new Manifests(List.copyOf(documents), List.copyOf(objects), List.copyOf(findings));
    }

    /** The typed objects of one class. */
    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** The object of a class with that namespace and name, if rendered. */
    <T extends HasMetadata> Optional<T> find(Class<T> type, String namespace, String name) {
        Predicate<T> same = o -> name.equals(o.getMetadata().getName())
                && namespace.equals(o.getMetadata().getNamespace());
        return all(type).stream().filter(same).findFirst();
    }

    /** {@code Kind namespace/name}, as findings name objects. */
    static String id(HasMetadata object) {
        return object.getKind() + " " + Optional.ofNullable(object.getMetadata().getNamespace()).orElse("")
                + "/" + object.getMetadata().getName();
    }
}
