package io.bulkhead.hal.xen.internal;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * Builds an instance of a metatype configuration interface from a property map, the way DS does,
 * for running the backend outside OSGi (tests, tools). Missing keys take the annotation's
 * defaults; strings are converted to the member type.
 */
final class Configurations {

    private Configurations() {
    }

    static <A extends Annotation> A of(Class<A> type, Map<String, ?> properties) {
        Map<String, ?> values = Map.copyOf(properties);
        for (String key : values.keySet()) {
            try {
                type.getMethod(key);
            } catch (NoSuchMethodException e) {
                throw new IllegalArgumentException("unknown configuration key '" + key + "' for " + type.getSimpleName());
            }
        }
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) ->
                switch (method.getName()) {
                    case "annotationType" -> type;
                    case "toString" -> type.getSimpleName() + values;
                    case "hashCode" -> values.hashCode();
                    case "equals" -> self == args[0];
                    default -> value(method, values.get(method.getName()));
                });
        return type.cast(proxy);
    }

    private static Object value(Method member, Object given) {
        if (given == null) {
            return member.getDefaultValue();
        }
        Class<?> type = member.getReturnType();
        String text = given.toString();
        if (type == String.class) {
            return text;
        }
        try {
            if (type == int.class) {
                return given instanceof Number n ? n.intValue() : Integer.parseInt(text.trim());
            }
            if (type == boolean.class) {
                if (given instanceof Boolean b) {
                    return b;
                }
                return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
                    case "true" -> true;
                    case "false" -> false;
                    default -> throw new NumberFormatException();
                };
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("configuration " + member.getName() + ": '" + text + "' is not a "
                    + type.getSimpleName(), e);
        }
        throw new IllegalArgumentException("configuration " + member.getName() + ": unsupported type " + type);
    }
}
