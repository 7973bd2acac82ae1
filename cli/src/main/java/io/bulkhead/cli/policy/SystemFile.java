package io.bulkhead.cli.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulkhead.core.policy.QubeInfo;
import io.bulkhead.core.policy.SystemView;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the qubes a policy is evaluated against: {@code {"domains":[{name, type, tags, uuid,
 * template_for_dispvms, default_dispvm, power_state, internal, relayvm?, transport_rpc?}]}},
 * the shape of a {@code systems} entry of the conformance vectors.
 */
final class SystemFile {
    private SystemFile() {
    }

    /** Thrown with a message naming the file and the offending entry. */
    static final class InvalidSystemFile extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidSystemFile(String message) {
            super(message);
        }
    }

    static SystemView read(Path file, ObjectMapper json) throws InvalidSystemFile {
        JsonNode root;
        try {
            root = json.readTree(Files.readString(file));
        } catch (JsonProcessingException e) {
            throw new InvalidSystemFile(file + ": not valid JSON: " + e.getOriginalMessage());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new InvalidSystemFile(file + ": no such file");
        } catch (IOException e) {
            throw new InvalidSystemFile(file + ": cannot read: " + e);
        }
        JsonNode domains = root == null ? null : root.get("domains");
        if (domains == null || !domains.isArray()) {
            throw new InvalidSystemFile(file + ": expected an object with a \"domains\" array");
        }
        List<QubeInfo> qubes = new ArrayList<>();
        int index = 0;
        for (JsonNode d : domains) {
            String where = file + ": domains[" + index++ + "]";
            if (!d.isObject()) {
                throw new InvalidSystemFile(where + ": expected an object");
            }
            String name = text(d, "name", where);
            if (name == null || name.isEmpty()) {
                throw new InvalidSystemFile(where + ": \"name\" is required");
            }
            Set<String> tags = new LinkedHashSet<>();
            JsonNode tagList = d.get("tags");
            if (tagList != null && !tagList.isNull()) {
                if (!tagList.isArray()) {
                    throw new InvalidSystemFile(where + ": \"tags\" must be an array of strings");
                }
                for (JsonNode tag : tagList) {
                    if (!tag.isTextual()) {
                        throw new InvalidSystemFile(where + ": \"tags\" must be an array of strings");
                    }
                    tags.add(tag.asText());
                }
            }
            qubes.add(new QubeInfo(name, text(d, "type", where), tags, text(d, "uuid", where),
                    bool(d, "template_for_dispvms", where), text(d, "default_dispvm", where),
                    text(d, "power_state", where), bool(d, "internal", where), text(d, "relayvm", where),
                    text(d, "transport_rpc", where)));
        }
        try {
            return SystemView.of(qubes);
        } catch (IllegalArgumentException e) {
            throw new InvalidSystemFile(file + ": " + e.getMessage());
        }
    }

    private static String text(JsonNode d, String field, String where) throws InvalidSystemFile {
        JsonNode value = d.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new InvalidSystemFile(where + ": \"" + field + "\" must be a string or null");
        }
        return value.asText();
    }

    private static boolean bool(JsonNode d, String field, String where) throws InvalidSystemFile {
        JsonNode value = d.get(field);
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw new InvalidSystemFile(where + ": \"" + field + "\" must be true or false");
        }
        return value.asBoolean();
    }
}
