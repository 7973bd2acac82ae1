package io.bulkhead.hal.hyperv.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One VM as the scripts report it ({@code ConvertTo-BulkheadRecord}: Name, Id, State, Status,
 * Notes of {@code Get-VM}).
 *
 * @param name   Hyper-V VM name (prefix + qube name)
 * @param id     Hyper-V VM id (the VmId of hvsocket addresses)
 * @param state  Hyper-V state
 * @param status Hyper-V's status text ("Operating normally", "Shutting down..."), may be empty
 * @param qube   UUID of the qube from the Bulkhead marker in Notes, if present
 */
record VmRecord(String name, UUID id, VmState state, String status, Optional<UUID> qube) {

    private static final Pattern MARKER = Pattern.compile(
            Pattern.quote(PowerShellScript.NOTES_MARKER) + "([0-9a-fA-F-]{36})\\)");

    /** @return the Notes text that marks a VM as the domain of qube {@code uuid} */
    static String notesFor(UUID uuid) {
        return PowerShellScript.NOTES_MARKER + uuid + "). Created by the Bulkhead Hyper-V backend;"
                + " it replaces this VM at every start of the qube.";
    }

    /** @throws IOException naming the field when the JSON is not a VM record */
    static VmRecord parse(JsonNode node) throws IOException {
        String name = node.path("Name").asText(null);
        String id = node.path("Id").isObject() ? node.path("Id").path("Guid").asText(null) : node.path("Id").asText(null);
        JsonNode stateNode = node.path("State");
        if (name == null || id == null || !stateNode.isValueNode()) {
            throw new IOException("not a VM record (needs Name, Id, State): " + Envelope.abbreviate(node.toString()));
        }
        UUID vmId;
        VmState state;
        try {
            vmId = UUID.fromString(id);
            state = VmState.parse(stateNode.asText());
        } catch (IllegalArgumentException e) {
            throw new IOException("bad VM record of '" + name + "': " + e.getMessage(), e);
        }
        String notes = node.path("Notes").asText("");
        Matcher m = MARKER.matcher(notes);
        Optional<UUID> qube = Optional.empty();
        if (notes.startsWith(PowerShellScript.NOTES_MARKER) && m.lookingAt()) {
            qube = Optional.of(UUID.fromString(m.group(1)));
        }
        return new VmRecord(name, vmId, state, node.path("Status").asText(""), qube);
    }
}
