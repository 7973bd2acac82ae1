package io.bulkhead.hal.hyperv.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class EnvelopeTest {

    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void successCarriesTheEmittedObjects() throws IOException {
        Envelope two = Envelope.parse(mapper, "{\"ok\":true,\"value\":[{\"A\":1},{\"B\":2}]}");
        assertTrue(two.ok());
        assertEquals(2, two.value().size());
        assertEquals(1, Envelope.parse(mapper, "{\"ok\":true,\"value\":{\"A\":1}}").value().size(),
                "a lone object (unwrapped array) counts as one");
        assertEquals(0, Envelope.parse(mapper, "{\"ok\":true,\"value\":[]}").value().size());
        assertEquals(0, Envelope.parse(mapper, "{\"ok\":true,\"value\":null}").value().size());
    }

    @Test
    void failureCarriesTheErrorRecord() throws IOException {
        Envelope failed = Envelope.parse(mapper, "{\"ok\":false,\"error\":{\"message\":\"The operation cannot be"
                + " performed while the virtual machine is in its current state.\",\"errorId\":\"InvalidState,"
                + "Microsoft.HyperV.PowerShell.Commands.SuspendVM\",\"category\":\"InvalidOperation\",\"command\":"
                + "\"Suspend-VM\",\"exception\":\"Microsoft.HyperV.PowerShell.VirtualizationException\"}}");
        assertFalse(failed.ok());
        PowerShellError error = failed.error().orElseThrow();
        assertEquals("Suspend-VM: The operation cannot be performed while the virtual machine is in its current state."
                + " [InvalidState,Microsoft.HyperV.PowerShell.Commands.SuspendVM]", error.describe());
        assertFalse(error.vmNotFound());
        PowerShellError thrown = new PowerShellError("Bulkhead: oops", "Bulkhead: oops", "OperationStopped", "",
                "System.Management.Automation.RuntimeException");
        assertEquals("Bulkhead: oops", thrown.describe(), "a thrown string is its own error id: said once");
    }

    @Test
    void anythingElseIsAnErrorQuotingWhatCameBack() {
        IOException garbage = assertThrows(IOException.class, () -> Envelope.parse(mapper, "Get-VM : The term..."));
        assertTrue(garbage.getMessage().contains("Get-VM : The term"), garbage.getMessage());
        assertThrows(IOException.class, () -> Envelope.parse(mapper, "{\"value\":[]}"));
        assertThrows(IOException.class, () -> Envelope.parse(mapper, "[1,2]"));
    }
}
