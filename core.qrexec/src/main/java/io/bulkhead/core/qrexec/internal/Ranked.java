package io.bulkhead.core.qrexec.internal;

import java.util.Collection;
import java.util.Map;

/** A whiteboard service with its ranking and id, ordered as OSGi orders them (highest ranking, then oldest). */
record Ranked<T>(T service, int ranking, long id) implements Comparable<Ranked<T>> {

    static <T> Ranked<T> of(T service, Map<String, ?> properties) {
        Object r = properties.get("service.ranking");
        Object id = properties.get("service.id");
        return new Ranked<>(service, r instanceof Integer ? (Integer) r : 0, id instanceof Long ? (Long) id : 0L);
    }

    @Override
    public int compareTo(Ranked<T> o) {
        return ranking != o.ranking ? Integer.compare(o.ranking, ranking) : Long.compare(id, o.id);
    }

    /** @return the values of a String, String[] or Collection property */
    static String[] strings(Object value) {
        if (value instanceof String) {
            return new String[] {(String) value};
        }
        if (value instanceof String[]) {
            return (String[]) value;
        }
        if (value instanceof Collection) {
            return ((Collection<?>) value).stream().map(String::valueOf).toArray(String[]::new);
        }
        return new String[0];
    }
}
