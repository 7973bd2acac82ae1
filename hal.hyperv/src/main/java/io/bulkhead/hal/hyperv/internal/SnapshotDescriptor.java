package io.bulkhead.hal.hyperv.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.UUID;

/**
 * The file {@code saveSnapshot} writes: Hyper-V keeps the saved memory in a checkpoint of the VM
 * itself, so the file only names that checkpoint (JSON, written atomically).
 *
 * @param domain         the qube the checkpoint belongs to
 * @param vmName         its Hyper-V VM name
 * @param vmId           the Hyper-V VM id at save time
 * @param checkpointId   the checkpoint's id
 * @param checkpointName the checkpoint's name
 * @param created        when it was taken
 */
record SnapshotDescriptor(String domain, String vmName, UUID vmId, UUID checkpointId, String checkpointName,
        Instant created) {

    static final String FORMAT = "bulkhead-hyperv-checkpoint/1";

    void write(ObjectMapper mapper, Path file) throws IOException {
        ObjectNode json = mapper.createObjectNode();
        json.put("format", FORMAT);
        json.put("domain", domain);
        json.put("vmName", vmName);
        json.put("vmId", vmId.toString());
        json.put("checkpointId", checkpointId.toString());
        json.put("checkpointName", checkpointName);
        json.put("created", created.toString());
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path temporary = Files.createTempFile(parent, ".snapshot", ".tmp");
        try {
            mapper.writerWithDefaultPrettyPrinter().writeValue(temporary.toFile(), json);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** @throws IOException naming the file when it is missing or not a descriptor of this backend */
    static SnapshotDescriptor read(ObjectMapper mapper, Path file) throws IOException {
        JsonNode json;
        try {
            json = mapper.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException("cannot read snapshot file " + file + ": " + e.getMessage(), e);
        }
        if (json == null || !FORMAT.equals(json.path("format").asText())) {
            throw new IOException("snapshot file " + file + " was not written by the Hyper-V backend (expected format "
                    + FORMAT + ")");
        }
        try {
            return new SnapshotDescriptor(json.path("domain").asText(), json.path("vmName").asText(),
                    UUID.fromString(json.path("vmId").asText()), UUID.fromString(json.path("checkpointId").asText()),
                    json.path("checkpointName").asText(), Instant.parse(json.path("created").asText()));
        } catch (RuntimeException e) {
            throw new IOException("snapshot file " + file + " is damaged: " + e.getMessage(), e);
        }
    }
}
