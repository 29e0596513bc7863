package io.envgrid.deploycheck;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The fields of a fabric8 object that its model has no property for. fabric8's generated classes accept any
 * field into {@code additionalProperties} (so that a client survives a newer server); for manifests that is
 * where a misspelt field ends up, silently ignored by the API server's older sibling, so this walks the object
 * graph and reports each one by path. Test code, run on the JVM only: the reflection needs no registration.
 */
final class UnknownFields {

    private UnknownFields() {
    }

    /** Paths (like {@code spec.template.spec.containers[0].readinesProbe}) of every unknown field. */
    static List<String> in(Object object) {
        List<String> paths = new ArrayList<>();
        walk(object, "", paths);
        return paths;
    }

    private static void walk(Object value, String path, List<String> paths) {
        if (value == null) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                walk(item, path + "[" + i++ + "]", paths);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "[" + k + "]", paths));
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object child = invoke(getter, value);
            if (getter.getName().equals("getAdditionalProperties")) {
                if (child instanceof Map<?, ?> extra) {
                    extra.keySet().forEach(k -> paths.add(join(path, String.valueOf(k))));
                }
            } else {
                walk(child, join(path, property(getter.getName())), paths);
            }
        }
    }

    private static Object invoke(Method getter, Object target) {
        try {
            return getter.invoke(target);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + getter, e);
        }
    }

    private static String property(String getter) {
        String name = getter.substring(3);
        return name.isEmpty() ? name : Character.toLowerCase(name.charAt(0)) + name.substring(1);
    }

    private static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }
}
