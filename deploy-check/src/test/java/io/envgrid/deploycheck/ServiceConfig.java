package io.envgrid.deploycheck;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What one service module says about its own configuration, read from its sources: the properties of
 * {@code application.properties}, the {@code @ConfigProperty} names and string literals naming {@code envgrid.*}
 * properties, and its {@code @ConfigMapping} prefixes with the property words their interfaces declare. From these
 * it answers whether an environment variable names a property the service reads (MicroProfile Config's
 * mapping: upper case, every other character {@code _}).
 */
final class ServiceConfig {

    private static final Pattern MAPPING = Pattern.compile("@ConfigMapping\\(\\s*prefix\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern CONFIG_PROPERTY = Pattern.compile("@ConfigProperty\\(\\s*name\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern LITERAL = Pattern.compile("\"((?:envgrid|quarkus)\\.[a-z0-9.-]+)\"");
    private static final Pattern METHOD = Pattern.compile("(?m)^\\s*(?:[\\w<>,.? ]+)\\s+(\\w+)\\(\\)\\s*;");
    private static final Pattern WITH_NAME = Pattern.compile("@WithName\\(\"([^\"]+)\"\\)");
    /** A mapping method's default: {@code @WithDefault("5s")}, then (past other annotations) {@code Duration redisTimeout();}. */
    private static final Pattern WITH_DEFAULT =
            Pattern.compile("@WithDefault\\(\"([^\"]*)\"\\)\\s*(?:@\\w+(?:\\([^)]*\\))?\\s*)*[\\w<>,.? ]+?\\s+(\\w+)\\(\\)\\s*;");
    /**
     * Quarkus Redis client settings the manifests set that a service need not list in its own properties
     * (their defaults live in the extension); allowed only where the module uses that extension.
     */
    private static final List<String> REDIS_CLIENT = List.of("quarkus.redis.hosts", "quarkus.redis.password",
            "quarkus.redis.client-type", "quarkus.redis.master-name", "quarkus.redis.role");

    private static final String AMBIGUOUS = "\u0000ambiguous";

    private final String module;
    private final Properties properties;
    private final Set<String> envNames = new HashSet<>();
    private final Set<String> mappingPrefixes = new HashSet<>();
    private final Set<String> mappingWords = new HashSet<>();
    /** Mapping defaults by kebab-case method name; {@link #AMBIGUOUS} where two methods of that name differ. */
    private final Map<String, String> mappingDefaults = new HashMap<>();

    private ServiceConfig(String module, Properties properties) {
        this.module = module;
        this.properties = properties;
    }

    /**
     * @param moduleDir the service module (holding pom.xml and src/main)
     * @throws IOException when its sources cannot be read
     */
    static ServiceConfig read(Path moduleDir) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(moduleDir.resolve("src/main/resources/application.properties"))) {
            properties.load(reader);
        }
        ServiceConfig config = new ServiceConfig(moduleDir.getFileName().toString(), properties);
        for (String key : properties.stringPropertyNames()) {
            config.envNames.add(env(key.startsWith("%") ? key.substring(key.indexOf('.') + 1) : key));
        }
        if (Files.readString(moduleDir.resolve("pom.xml")).contains("<artifactId>quarkus-redis-client</artifactId>")) {
            REDIS_CLIENT.forEach(name -> config.envNames.add(env(name)));
        }
        try (Stream<Path> files = Files.walk(moduleDir.resolve("src/main/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                config.scan(Files.readString(file));
            }
        }
        return config;
    }

    private void scan(String source) {
        collect(CONFIG_PROPERTY, source, name -> envNames.add(env(name)));
        collect(LITERAL, source, name -> envNames.add(env(name)));
        Matcher mapping = MAPPING.matcher(source);
        boolean mapped = false;
        while (mapping.find()) {
            mappingPrefixes.add(env(mapping.group(1)));
            mapped = true;
        }
        // A mapping's nested groups are interfaces too, in the same file or beside it in the config package.
        if (mapped || source.contains("package ") && source.contains(".config;") && source.contains("interface ")) {
            collect(METHOD, source, method -> mappingWords.add(env(kebab(method))));
            collect(WITH_NAME, source, name -> mappingWords.add(env(name)));
            Matcher defaults = WITH_DEFAULT.matcher(source);
            while (defaults.find()) {
                String method = kebab(defaults.group(2));
                String value = defaults.group(1);
                mappingDefaults.merge(method, value, (a, b) -> a != null && a.equals(b) ? a : AMBIGUOUS);
            }
        }
    }

    private static void collect(Pattern pattern, String text, java.util.function.Consumer<String> sink) {
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            sink.accept(m.group(1));
        }
    }

    /**
     * The {@code @WithDefault} of the mapping method named {@code method} (kebab case, e.g. {@code redis-timeout}),
     * empty when no method of that name has one.
     *
     * @throws IllegalStateException when methods of that name in different groups declare different defaults
     */
    Optional<String> mappingDefault(String method) {
        String value = mappingDefaults.get(method);
        if (AMBIGUOUS.equals(value)) {
            throw new IllegalStateException(module + ": mapping methods named " + method + " declare different defaults");
        }
        return Optional.ofNullable(value);
    }

    /** A property of its {@code application.properties} (default profile), if set there. */
    Optional<String> property(String name) {
        return Optional.ofNullable(properties.getProperty(name));
    }

    /** The module's directory name, e.g. {@code gateway-service}. */
    String module() {
        return module;
    }

    /** {@code <quarkus.container-image.group>/<quarkus.container-image.name>}, the image the build makes. */
    String image() {
        return properties.getProperty("quarkus.container-image.group") + "/" + properties.getProperty("quarkus.container-image.name");
    }

    /** {@code quarkus.http.port}. */
    int httpPort() {
        return Integer.parseInt(properties.getProperty("quarkus.http.port"));
    }

    /** {@code quarkus.shutdown.timeout} (production profile), zero if unset. */
    Duration shutdownTimeout() {
        return Optional.ofNullable(properties.getProperty("quarkus.shutdown.timeout"))
                .map(v -> Duration.parse("PT" + v.toUpperCase(Locale.ROOT)))
                .orElse(Duration.ZERO);
    }

    /**
     * Whether the service reads the property this environment variable maps to: a property it names, or one
     * under a {@code @ConfigMapping} prefix whose remainder is made of the words its interfaces declare.
     */
    boolean reads(String envName) {
        if (envNames.contains(envName)) {
            return true;
        }
        for (String prefix : mappingPrefixes) {
            if (envName.startsWith(prefix + "_") && madeOfWords(envName.substring(prefix.length() + 1))) {
                return true;
            }
        }
        return false;
    }

    private boolean madeOfWords(String rest) {
        if (rest.isEmpty()) {
            return true;
        }
        for (String word : mappingWords) {
            if (rest.equals(word) || rest.startsWith(word + "_") && madeOfWords(rest.substring(word.length() + 1))) {
                return true;
            }
        }
        return false;
    }

    /** MicroProfile Config's environment name of a property. */
    static String env(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    private static String kebab(String method) {
        return method.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
