package io.bulkhead.hal.local.internal;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * Turns a property map into an instance of a metatype configuration interface, as DS does, for
 * running the backend outside OSGi (tests, embedding). Absent keys take the annotation default;
 * values are converted from their string form.
 */
final class Configurations {

    private Configurations() {
    }

    static <A extends Annotation> A of(Class<A> type, Map<String, ?> properties) {
        Map<String, ?> values = Map.copyOf(properties);
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) ->
                switch (method.getName()) {
                    case "annotationType" -> type;
                    case "toString" -> type.getSimpleName() + values;
                    case "hashCode" -> values.hashCode();
                    case "equals" -> self == args[0];
                    default -> convert(method, values.get(method.getName()));
                });
        return type.cast(proxy);
    }

    private static Object convert(Method member, Object given) {
        if (given == null) {
            return member.getDefaultValue();
        }
        Class<?> type = member.getReturnType();
        String text = given.toString().trim();
        try {
            if (type == String.class) {
                return given.toString();
            }
            if (type == int.class) {
                return given instanceof Number n ? n.intValue() : Integer.parseInt(text);
            }
            if (type == long.class) {
                return given instanceof Number n ? n.longValue() : Long.parseLong(text);
            }
            if (type == double.class) {
                return given instanceof Number n ? n.doubleValue() : Double.parseDouble(text);
            }
            if (type == boolean.class) {
                return given instanceof Boolean b ? b : Boolean.parseBoolean(text);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("configuration " + member.getName() + ": '" + text + "' is not a "
                    + type.getSimpleName(), e);
        }
        throw new IllegalArgumentException("configuration " + member.getName() + ": unsupported type " + type.getName());
    }
}
