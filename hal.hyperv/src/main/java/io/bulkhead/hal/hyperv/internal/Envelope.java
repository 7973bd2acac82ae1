package io.bulkhead.hal.hyperv.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The JSON line every script prints last: {@code {"ok":true,"value":[...]}} with the objects the
 * body emitted, or {@code {"ok":false,"error":{...}}} with the error record that stopped it.
 *
 * @param value the emitted objects (empty when failed)
 * @param error the error record, if the script failed
 */
record Envelope(List<JsonNode> value, Optional<PowerShellError> error) {

    static Envelope parse(ObjectMapper mapper, String json) throws IOException {
        JsonNode root;
        try {
            root = mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IOException("PowerShell printed no valid result envelope: " + abbreviate(json), e);
        }
        if (root == null || !root.isObject() || !root.path("ok").isBoolean()) {
            throw new IOException("PowerShell printed no valid result envelope: " + abbreviate(json));
        }
        if (root.path("ok").asBoolean()) {
            List<JsonNode> values = new ArrayList<>();
            JsonNode value = root.path("value");
            if (value.isArray()) {
                value.forEach(values::add);
            } else if (!value.isMissingNode() && !value.isNull()) {
                values.add(value); // ConvertTo-Json of a one-element array on some hosts
            }
            return new Envelope(List.copyOf(values), Optional.empty());
        }
        JsonNode e = root.path("error");
        return new Envelope(List.of(), Optional.of(new PowerShellError(text(e, "message"), text(e, "errorId"),
                text(e, "category"), text(e, "command"), text(e, "exception"))));
    }

    boolean ok() {
        return error.isEmpty();
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isValueNode() ? value.asText() : "";
    }

    static String abbreviate(String text) {
        String oneLine = text.replace('\n', ' ').replace('\r', ' ');
        return oneLine.length() <= 300 ? oneLine : oneLine.substring(0, 300) + "...";
    }
}
