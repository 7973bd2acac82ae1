package io.bulkhead.qvm.internal;

import io.bulkhead.qvm.client.QubesCallException;

/**
 * A property as the Admin API serialises it: {@code default=True|False type=T VALUE}.
 *
 * @param isDefault whether the value is the computed default
 * @param type      {@code vm}, {@code label}, {@code int}, {@code bool} or {@code str}
 * @param value     the value text; {@code ""} for None
 */
public record PropertyValue(boolean isDefault, String type, String value) {

    /** Parses a {@code admin.vm.property.Get} answer. */
    public static PropertyValue parse(String answer) {
        int first = answer.indexOf(' ');
        if (first < 0 || !answer.startsWith("default=")) {
            throw invalid(answer);
        }
        boolean isDefault = "True".equals(answer.substring("default=".length(), first));
        String rest = answer.substring(first + 1);
        if (!rest.startsWith("type=")) {
            throw invalid(answer);
        }
        int second = rest.indexOf(' ');
        String type = second < 0 ? rest.substring(5) : rest.substring(5, second);
        return new PropertyValue(isDefault, type, second < 0 ? "" : rest.substring(second + 1));
    }

    private static QubesCallException invalid(String answer) {
        return new QubesCallException(QubesCallException.DAEMON_COMMUNICATION_ERROR, "Invalid property value received: '" + answer + "'");
    }

    /** @return whether qubesadmin would find no value here (an int or bool serialised empty: AttributeError) */
    public boolean unset() {
        return value.isEmpty() && ("int".equals(type) || "bool".equals(type));
    }

    /** @return whether the value is None (a qube or label reference serialised empty) */
    public boolean none() {
        return value.isEmpty() && ("vm".equals(type) || "label".equals(type));
    }

    /** @return the value as Python's {@code str()} prints it: None for an empty qube or label reference */
    public String display() {
        return none() ? "None" : value;
    }
}
