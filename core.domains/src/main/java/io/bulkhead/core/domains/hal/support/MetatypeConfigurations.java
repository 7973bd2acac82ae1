package io.bulkhead.core.domains.hal.support;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * Builds an instance of a metatype configuration interface from a property map, the way DS does,
 * for code that runs a backend outside OSGi (benchmarks, tests, embedding). Missing keys take the
 * annotation's defaults; strings are converted to the member type.
 */
public final class MetatypeConfigurations {

    private MetatypeConfigurations() {
    }

    public static <A extends Annotation> A of(Class<A> type, Map<String, ?> properties) {
        Map<String, ?> values = Map.copyOf(properties);
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
            switch (method.getName()) {
                case "annotationType":
                    return type;
                case "toString":
                    return type.getSimpleName() + values;
                case "hashCode":
                    return values.hashCode();
                case "equals":
                    return self == args[0];
                default:
                    return value(method, values.get(method.getName()));
            }
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
            if (type == long.class) {
                return given instanceof Number n ? n.longValue() : Long.parseLong(text.trim());
            }
            if (type == double.class) {
                return given instanceof Number n ? n.doubleValue() : Double.parseDouble(text.trim());
            }
            if (type == boolean.class) {
                return given instanceof Boolean b ? b : Boolean.parseBoolean(text.trim());
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("configuration " + member.getName() + ": '" + text + "' is not a "
                    + type.getSimpleName(), e);
        }
        throw new IllegalArgumentException("configuration " + member.getName() + ": unsupported type " + type);
    }
}
