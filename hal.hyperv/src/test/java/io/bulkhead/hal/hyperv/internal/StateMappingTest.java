package io.bulkhead.hal.hyperv.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.bulkhead.core.domains.hal.DomainState;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Every Hyper-V VMState, as Get-VM | ConvertTo-Json prints it (name or number), maps to a DomainState. */
class StateMappingTest {

    /** Microsoft.HyperV.PowerShell.VMState: name, number, and the state core must see. */
    private static final Object[][] TABLE = {
        {"Other", 1, DomainState.CRASHED},
        {"Running", 2, DomainState.RUNNING},
        {"Off", 3, DomainState.SHUTOFF},
        {"Stopping", 4, DomainState.SHUTTING_DOWN},
        {"Saved", 6, DomainState.PAUSED},
        {"Paused", 9, DomainState.PAUSED},
        {"Starting", 10, DomainState.STARTING},
        {"Reset", 11, DomainState.RUNNING},
        {"Saving", 32773, DomainState.PAUSED},
        {"Pausing", 32776, DomainState.PAUSED},
        {"Resuming", 32777, DomainState.RUNNING},
        {"FastSaved", 32779, DomainState.PAUSED},
        {"FastSaving", 32780, DomainState.PAUSED},
        {"ForceShutdown", 32781, DomainState.DYING},
        {"ForceReboot", 32782, DomainState.RUNNING},
        {"Hibernated", 32783, DomainState.SUSPENDED},
        {"ComponentServicing", 32784, DomainState.STARTING},
        {"RunningCritical", 32785, DomainState.RUNNING},
        {"OffCritical", 32786, DomainState.CRASHED},
        {"StoppingCritical", 32787, DomainState.SHUTTING_DOWN},
        {"SavedCritical", 32788, DomainState.PAUSED},
        {"PausedCritical", 32789, DomainState.PAUSED},
        {"StartingCritical", 32790, DomainState.STARTING},
        {"ResetCritical", 32791, DomainState.RUNNING},
        {"SavingCritical", 32792, DomainState.PAUSED},
        {"PausingCritical", 32793, DomainState.PAUSED},
        {"ResumingCritical", 32794, DomainState.RUNNING},
        {"FastSavedCritical", 32795, DomainState.PAUSED},
        {"FastSavingCritical", 32796, DomainState.PAUSED},
    };

    @Test
    void theTableCoversEveryHyperVState() {
        assertEquals(VmState.values().length, TABLE.length);
    }

    @Test
    void everyStateFromGetVmJsonMapsAsSpecified() {
        for (boolean numbers : new boolean[] {false, true}) {
            FakeHyperV fake = new FakeHyperV().statesAsNumbers(numbers);
            Map<String, DomainState> expected = new LinkedHashMap<>();
            for (Object[] row : TABLE) {
                String qube = "q-" + row[0];
                VmState state = VmState.parse((String) row[0]);
                assertEquals(row[1], state.number());
                fake.addVm(qube, VmRecord.notesFor(UUID.randomUUID()), state);
                expected.put(qube, (DomainState) row[2]);
            }
            HypervHypervisor hyperv = Backends.backend(fake, Map.of());
            try {
                assertEquals(expected, hyperv.domains(), numbers ? "numeric State" : "State names");
                expected.forEach((qube, state) -> assertEquals(state, hyperv.state(qube), qube));
            } finally {
                hyperv.close();
            }
        }
    }

    @Test
    void recordsParseFromRealisticJson() throws Exception {
        String json = "{\"ok\":true,\"value\":[{\"Name\":\"work\",\"Id\":\"8f3c2a57-52a2-4d52-a5b1-2f5c7c8b9a10\","
                + "\"State\":\"Running\",\"Status\":\"Operating normally\",\"Notes\":\"Managed by Bulkhead (qube"
                + " 5b1f3a52-8a3e-4f6e-9c1d-0a4b2c3d4e5f). Created by the Bulkhead Hyper-V backend; it replaces this VM"
                + " at every start of the qube.\"},{\"Name\":\"old\",\"Id\":{\"Guid\":"
                + "\"0b3c2a57-52a2-4d52-a5b1-2f5c7c8b9a10\"},\"State\":3,\"Status\":\"\",\"Notes\":\"\"}]}";
        Envelope envelope = Envelope.parse(new com.fasterxml.jackson.databind.ObjectMapper(), json);
        VmRecord work = VmRecord.parse(envelope.value().get(0));
        assertEquals(UUID.fromString("8f3c2a57-52a2-4d52-a5b1-2f5c7c8b9a10"), work.id());
        assertEquals(VmState.RUNNING, work.state());
        assertEquals(UUID.fromString("5b1f3a52-8a3e-4f6e-9c1d-0a4b2c3d4e5f"), work.qube().orElseThrow());
        VmRecord old = VmRecord.parse(envelope.value().get(1));
        assertEquals(VmState.OFF, old.state(), "Windows PowerShell prints an unconverted enum as its number");
        assertEquals(UUID.fromString("0b3c2a57-52a2-4d52-a5b1-2f5c7c8b9a10"), old.id(), "and a Guid as an object");
        assertEquals(java.util.Optional.empty(), old.qube());
    }

    @Test
    void unknownStatesAndBrokenRecordsAreErrorsNamingThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VmState.parse("Levitating"));
        assertEquals("unknown Hyper-V VM state 'Levitating'", e.getMessage());
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        java.io.IOException bad = assertThrows(java.io.IOException.class, () -> VmRecord.parse(mapper.readTree(
                "{\"Name\":\"work\",\"Id\":\"8f3c2a57-52a2-4d52-a5b1-2f5c7c8b9a10\",\"State\":\"Levitating\"}")));
        assertEquals("bad VM record of 'work': unknown Hyper-V VM state 'Levitating'", bad.getMessage());
        assertThrows(java.io.IOException.class, () -> VmRecord.parse(mapper.readTree("{\"Name\":\"work\"}")));
    }
}
