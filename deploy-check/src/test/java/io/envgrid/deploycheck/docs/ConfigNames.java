package io.envgrid.deploycheck.docs;

import com.sun.source.tree.AnnotationTree;
import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.LiteralTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.ModifiersTree;
import com.sun.source.tree.ParameterizedTypeTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreeScanner;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.lang.model.element.Modifier;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * The {@code envgrid.*} configuration names one service module reads, from its sources: every leaf of its
 * {@code @ConfigMapping} interfaces (groups expanded, {@code @WithName} and {@code @WithParentName} honoured,
 * method names in kebab case as SmallRye Config maps them), every {@code @ConfigProperty(name = "envgrid.…")}
 * and every {@code envgrid.*} key of {@code application.properties} (profile prefixes such as {@code %test.}
 * dropped). The sources are parsed with the JDK's own compiler front end ({@code com.sun.source}), so nothing
 * but the JDK is needed and comments or strings cannot confuse it.
 */
final class ConfigNames {

    private ConfigNames() {
    }

    /**
     * @param moduleDir a service module (holding {@code src/main/java} and {@code src/main/resources})
     * @return the full property names, sorted
     * @throws IOException when a source cannot be read
     */
    static Set<String> of(Path moduleDir) throws IOException {
        Set<String> names = new TreeSet<>();
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(moduleDir.resolve("src/main/resources/application.properties"))) {
            properties.load(reader);
        }
        for (String key : properties.stringPropertyNames()) {
            String name = key.startsWith("%") ? key.substring(key.indexOf('.') + 1) : key;
            if (name.startsWith("envgrid.")) {
                names.add(name);
            }
        }
        Map<String, List<ClassTree>> interfaces = new HashMap<>();
        List<ClassTree> mappings = new ArrayList<>();
        for (CompilationUnitTree unit : parse(moduleDir.resolve("src/main/java"))) {
            new TreeScanner<Void, Void>() {
                @Override
                public Void visitClass(ClassTree type, Void unused) {
                    if (type.getKind() == Tree.Kind.INTERFACE) {
                        interfaces.computeIfAbsent(type.getSimpleName().toString(), k -> new ArrayList<>()).add(type);
                        if (annotation(type.getModifiers(), "ConfigMapping").isPresent()) {
                            mappings.add(type);
                        }
                    }
                    return super.visitClass(type, unused);
                }

                @Override
                public Void visitAnnotation(AnnotationTree annotation, Void unused) {
                    if (simpleName(annotation.getAnnotationType()).equals("ConfigProperty")) {
                        value(annotation, "name").filter(n -> n.startsWith("envgrid.")).ifPresent(names::add);
                    }
                    return super.visitAnnotation(annotation, unused);
                }
            }.scan(unit, null);
        }
        for (ClassTree mapping : mappings) {
            String prefix = value(annotation(mapping.getModifiers(), "ConfigMapping").orElseThrow(), "prefix").orElseThrow();
            expand(mapping, prefix, interfaces, names);
        }
        return names;
    }

    /** Adds the leaves under {@code prefix} of a mapping interface; a method returning another interface is a group. */
    private static void expand(ClassTree type, String prefix, Map<String, List<ClassTree>> interfaces, Set<String> names) {
        for (Tree member : type.getMembers()) {
            if (!(member instanceof MethodTree method) || method.getBody() != null
                    || method.getModifiers().getFlags().contains(Modifier.STATIC) || !method.getParameters().isEmpty()) {
                continue;
            }
            String name = annotation(method.getModifiers(), "WithParentName").isPresent() ? prefix
                    : prefix + "." + annotation(method.getModifiers(), "WithName").flatMap(a -> value(a, "value"))
                            .orElse(kebab(method.getName().toString()));
            Optional<ClassTree> group = group(type, method.getReturnType(), interfaces);
            if (group.isPresent()) {
                expand(group.get(), name, interfaces, names);
            } else {
                names.add(name);
            }
        }
    }

    /**
     * The interface a return type names, looking through {@code Optional<…>}: one declared inside {@code owner}
     * first, else the module's only interface of that name. Enums, lists and plain types are leaves.
     */
    private static Optional<ClassTree> group(ClassTree owner, Tree returnType, Map<String, List<ClassTree>> interfaces) {
        Tree type = returnType;
        if (type instanceof ParameterizedTypeTree parameterized && simpleName(parameterized.getType()).equals("Optional")) {
            type = parameterized.getTypeArguments().get(0);
        }
        if (type instanceof ParameterizedTypeTree) {
            return Optional.empty();
        }
        String name = simpleName(type);
        for (Tree member : owner.getMembers()) {
            if (member instanceof ClassTree nested && nested.getKind() == Tree.Kind.INTERFACE
                    && nested.getSimpleName().contentEquals(name)) {
                return Optional.of(nested);
            }
        }
        List<ClassTree> candidates = interfaces.getOrDefault(name, List.of());
        return candidates.size() == 1 ? Optional.of(candidates.get(0)) : Optional.empty();
    }

    private static Optional<AnnotationTree> annotation(ModifiersTree modifiers, String simpleName) {
        for (AnnotationTree annotation : modifiers.getAnnotations()) {
            if (simpleName(annotation.getAnnotationType()).equals(simpleName)) {
                return Optional.of(annotation);
            }
        }
        return Optional.empty();
    }

    /** A string argument of an annotation ({@code value} also when written without a name). */
    private static Optional<String> value(AnnotationTree annotation, String argument) {
        for (ExpressionTree expression : annotation.getArguments()) {
            ExpressionTree valueTree = expression;
            String name = "value";
            if (expression instanceof AssignmentTree assignment) {
                name = assignment.getVariable().toString();
                valueTree = assignment.getExpression();
            }
            if (name.equals(argument) && valueTree instanceof LiteralTree literal && literal.getValue() instanceof String s) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    private static String simpleName(Tree type) {
        String name = type.toString();
        return name.substring(name.lastIndexOf('.') + 1);
    }

    /** SmallRye Config's default naming: {@code sessionIdleTimeout} → {@code session-idle-timeout}. */
    static String kebab(String method) {
        StringBuilder out = new StringBuilder();
        for (char c : method.toCharArray()) {
            if (Character.isUpperCase(c)) {
                out.append('-').append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static Iterable<? extends CompilationUnitTree> parse(Path sources) throws IOException {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        StandardJavaFileManager files = compiler.getStandardFileManager(null, null, StandardCharsets.UTF_8);
        List<Path> java;
        try (Stream<Path> walk = Files.walk(sources)) {
            java = walk.filter(f -> f.toString().endsWith(".java")).toList();
        }
        Iterable<? extends JavaFileObject> objects = files.getJavaFileObjectsFromPaths(java);
        JavacTask task = (JavacTask) compiler.getTask(null, files, null, List.of("-proc:none"), null, objects);
        return task.parse();
    }
}
