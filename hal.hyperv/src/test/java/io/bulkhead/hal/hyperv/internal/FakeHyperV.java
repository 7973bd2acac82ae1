package io.bulkhead.hal.hyperv.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulkhead.hal.hyperv.internal.PowerShellTokenizer.Kind;
import io.bulkhead.hal.hyperv.internal.PowerShellTokenizer.Token;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * The recording, validating stand-in for PowerShell + Hyper-V used by the tests:
 * <ol>
 * <li>records every script the backend runs;</li>
 * <li>validates it: it must tokenize (quotes closed, brackets balanced), its string literal
 *     tokens must be exactly the values the backend interpolated, in order, it must contain no
 *     expandable string, here-string or escape (the backend writes none, so one can only come
 *     from a value that escaped its quotes), and it may call only known cmdlets/functions;</li>
 * <li>answers like the real thing: result envelopes whose VM records look like
 *     {@code ConvertTo-Json} of {@code Get-VM}, from a small model of VMs and checkpoints; error
 *     records for the failures a test asks for.</li>
 * </ol>
 */
final class FakeHyperV implements PowerShell {

    static final Set<String> KNOWN_COMMANDS = Set.of("function", "Test-BulkheadNotes", "Find-BulkheadVm",
            "Find-BulkheadSwitch", "ConvertTo-BulkheadRecord", "Get-VM", "Where-Object", "ForEach-Object", "ConvertTo-Json",
            "New-VM", "Set-VM", "Remove-VM", "Get-Command", "Set-VMProcessor", "Set-VMMemory", "Set-VMFirmware",
            "Set-VMComPort", "Get-VMNetworkAdapter", "Remove-VMNetworkAdapter", "New-VHD", "Add-VMHardDiskDrive",
            "Get-VMHardDiskDrive", "Get-VMSwitch", "New-VMSwitch", "Remove-VMSwitch", "Add-VMNetworkAdapter",
            "Connect-VMNetworkAdapter", "Set-VMNetworkAdapter", "Start-VM", "Stop-VM", "Suspend-VM", "Resume-VM",
            "Get-Job", "Remove-Job", "Wait-Job", "Receive-Job", "Remove-VMSavedState", "Checkpoint-VM", "Get-VMSnapshot", "Restore-VMSnapshot",
            "Get-VMHost", "Get-Module", "Select-Object", "Get-Service", "Get-PnpDevice", "Get-PnpDeviceProperty",
            "Disable-PnpDevice", "Enable-PnpDevice", "Dismount-VMHostAssignableDevice", "Mount-VMHostAssignableDevice",
            "Add-VMAssignableDevice", "Remove-VMAssignableDevice", "New-Item", "New-ItemProperty", "Invoke-Command",
            "New-PSSession", "Remove-PSSession", "Invoke-BulkheadScript");

    private final ObjectMapper mapper = new ObjectMapper();
    private final List<PowerShellScript> scripts = Collections.synchronizedList(new ArrayList<>());
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Vm> vms = new LinkedHashMap<>();
    private final Map<String, Deque<Function<PowerShellScript, String>>> overrides = new LinkedHashMap<>();
    private final Map<String, Deque<IOException>> transportFailures = new LinkedHashMap<>();
    private ObjectNode preflight = goodPreflight();
    private int shutdownAfterLists;
    private boolean statesAsNumbers;
    private boolean closed;

    /** A VM in the model. */
    static final class Vm {
        final String name;
        final UUID id = UUID.randomUUID();
        final String notes;
        VmState state = VmState.OFF;
        final Map<UUID, String> checkpoints = new LinkedHashMap<>();
        int listsUntilOff = -1;

        Vm(String name, String notes) {
            this.name = name;
            this.notes = notes;
        }
    }

    // ---- set-up -------------------------------------------------------------------------------------

    ObjectNode goodPreflight() {
        ObjectNode p = mapper.createObjectNode();
        p.put("Windows", true);
        p.put("HyperVModule", true);
        p.put("Vmms", "Running");
        p.put("Administrator", true);
        p.put("HyperVAdministrator", false);
        p.put("Computer", "HV-HOST");
        p.put("PowerShell", "5.1.22621.4249");
        return p;
    }

    synchronized FakeHyperV preflight(ObjectNode answer) {
        preflight = answer;
        return this;
    }

    /** The next script of {@code operation} fails with this error record. */
    synchronized FakeHyperV failNext(String operation, String command, String message, String errorId, String category,
            String exception) {
        return answerNext(operation, script -> error(message, errorId, category, command, exception));
    }

    /** The next script of {@code operation} gets {@code answer} (raw output of the script). */
    synchronized FakeHyperV answerNext(String operation, Function<PowerShellScript, String> answer) {
        overrides.computeIfAbsent(operation, k -> new ArrayDeque<>()).add(answer);
        return this;
    }

    /** The next script of {@code operation} fails in transport (PowerShell died, timed out). */
    synchronized FakeHyperV transportFailureNext(String operation, IOException failure) {
        transportFailures.computeIfAbsent(operation, k -> new ArrayDeque<>()).add(failure);
        return this;
    }

    /** After a shutdown request, the guest is off once this many list scripts ran; -1 = never. */
    synchronized FakeHyperV shutdownAfterLists(int lists) {
        shutdownAfterLists = lists;
        return this;
    }

    /** Print State as the enum's number, like ConvertTo-Json of an unconverted VMState. */
    synchronized FakeHyperV statesAsNumbers(boolean numbers) {
        statesAsNumbers = numbers;
        return this;
    }

    synchronized Vm addVm(String name, String notes, VmState state) {
        Vm vm = new Vm(name, notes);
        vm.state = state;
        vms.put(name, vm);
        return vm;
    }

    synchronized Vm vm(String name) {
        return vms.get(name);
    }

    synchronized void setState(String name, VmState state) {
        vms.get(name).state = state;
    }

    synchronized void removeVm(String name) {
        vms.remove(name);
    }

    // ---- inspection ---------------------------------------------------------------------------------

    List<PowerShellScript> scripts() {
        synchronized (scripts) {
            return List.copyOf(scripts);
        }
    }

    List<String> operations() {
        return scripts().stream().map(PowerShellScript::operation).toList();
    }

    /** Operations other than the inventory queries (preflight, list) that the backend runs freely. */
    List<String> actions() {
        return operations().stream().filter(op -> !op.equals("list") && !op.equals("preflight")).toList();
    }

    PowerShellScript last(String operation) {
        List<PowerShellScript> all = scripts();
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).operation().equals(operation)) {
                return all.get(i);
            }
        }
        throw new AssertionError("no " + operation + " script was run; ran: " + operations());
    }

    List<String> violations() {
        synchronized (violations) {
            return List.copyOf(violations);
        }
    }

    void clear() {
        scripts.clear();
    }

    boolean closed() {
        return closed;
    }

    // ---- PowerShell ---------------------------------------------------------------------------------

    @Override
    public synchronized String run(PowerShellScript script) throws IOException {
        validate(script);
        scripts.add(script);
        Deque<IOException> failures = transportFailures.get(script.operation());
        if (failures != null && !failures.isEmpty()) {
            throw failures.removeFirst();
        }
        Deque<Function<PowerShellScript, String>> queued = overrides.get(script.operation());
        if (queued != null && !queued.isEmpty()) {
            return queued.removeFirst().apply(script);
        }
        Vm vm = vms.get(script.subject());
        switch (script.operation()) {
            case "preflight":
                return ok(preflight);
            case "list":
                return list();
            case "define":
                return define(script);
            case "start":
                if (vm.state == VmState.RUNNING) {
                    return error("The operation cannot be performed while the virtual machine is in its current state.",
                            "InvalidState,Microsoft.HyperV.PowerShell.Commands.StartVM", "InvalidOperation", "Start-VM",
                            "Microsoft.HyperV.PowerShell.VirtualizationException");
                }
                vm.state = VmState.RUNNING;
                return ok(record(vm));
            case "pause":
                vm.state = VmState.PAUSED;
                return ok(record(vm));
            case "resume":
                vm.state = VmState.RUNNING;
                return ok(record(vm));
            case "shutdown":
                vm.listsUntilOff = shutdownAfterLists;
                if (shutdownAfterLists == 0) {
                    vm.state = VmState.OFF;
                }
                return ok(record(vm));
            case "kill":
                vm.state = VmState.OFF;
                return ok(record(vm));
            case "checkpoint": {
                UUID id = UUID.randomUUID();
                String name = PsCommands.of(script.text()).stream().filter(c -> c.name().equals("Checkpoint-VM"))
                        .findFirst().orElseThrow().get("-SnapshotName");
                vm.checkpoints.put(id, name);
                vm.state = VmState.OFF;
                ObjectNode checkpoint = mapper.createObjectNode();
                checkpoint.put("CheckpointId", id.toString());
                checkpoint.put("CheckpointName", name);
                return ok(checkpoint, record(vm));
            }
            case "restore": {
                boolean known = script.literals().stream().anyMatch(l -> isUuid(l) && vm.checkpoints.containsKey(UUID.fromString(l)));
                if (!known) {
                    String message = script.literals().stream().filter(l -> l.startsWith("Bulkhead: checkpoint ")).findFirst()
                            .orElseThrow();
                    return error(message, message, "OperationStopped", "", "System.Management.Automation.RuntimeException");
                }
                vm.state = VmState.SAVED;
                return ok(record(vm));
            }
            case "remove":
                vms.remove(script.subject());
                return ok();
            case "assign-pci":
            case "release-pci": {
                ObjectNode location = mapper.createObjectNode();
                location.put("LocationPath", "PCIROOT(0)#PCI(1400)");
                return ok(location);
            }
            default:
                return ok();
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    private String list() {
        List<JsonNode> records = new ArrayList<>();
        for (Vm vm : vms.values()) {
            if (vm.listsUntilOff > 0 && --vm.listsUntilOff == 0) {
                vm.state = VmState.OFF;
            }
            if (vm.notes.startsWith(PowerShellScript.NOTES_MARKER)) {
                records.add(record(vm));
            }
        }
        return ok(records.toArray(new JsonNode[0]));
    }

    private String define(PowerShellScript script) {
        List<PsCommands.Invocation> commands = PsCommands.of(script.text());
        String name = commands.stream().filter(c -> c.name().equals("New-VM")).findFirst().orElseThrow().get("-Name");
        String notes = commands.stream().filter(c -> c.name().equals("Set-VM") && c.has("-Notes")).findFirst()
                .orElseThrow().get("-Notes");
        boolean foreign = vms.values().stream().anyMatch(v -> v.name.equalsIgnoreCase(name)
                && !v.notes.startsWith(PowerShellScript.NOTES_MARKER));
        if (foreign) {
            String message = script.literals().stream().filter(l -> l.startsWith("Bulkhead: a Hyper-V VM named"))
                    .findFirst().orElseThrow();
            return error(message, message, "OperationStopped", "", "System.Management.Automation.RuntimeException");
        }
        Vm vm = new Vm(name, notes);
        vms.put(name, vm);
        return ok(record(vm));
    }

    // ---- answers ------------------------------------------------------------------------------------

    ObjectNode record(Vm vm) {
        ObjectNode r = mapper.createObjectNode();
        r.put("Name", vm.name);
        r.put("Id", vm.id.toString());
        if (statesAsNumbers) {
            r.put("State", vm.state.number());
        } else {
            r.put("State", vm.state.powerShellName());
        }
        r.put("Status", "Operating normally");
        r.put("Notes", vm.notes);
        return r;
    }

    String ok(JsonNode... values) {
        ObjectNode envelope = mapper.createObjectNode();
        envelope.put("ok", true);
        ArrayNode array = envelope.putArray("value");
        for (JsonNode v : values) {
            array.add(v);
        }
        return envelope.toString();
    }

    String error(String message, String errorId, String category, String command, String exception) {
        ObjectNode envelope = mapper.createObjectNode();
        envelope.put("ok", false);
        ObjectNode e = envelope.putObject("error");
        e.put("message", message);
        e.put("errorId", errorId);
        e.put("category", category);
        e.put("command", command);
        e.put("exception", exception);
        return envelope.toString();
    }

    // ---- validation ---------------------------------------------------------------------------------

    private void validate(PowerShellScript script) {
        String problem = problems(script);
        if (problem != null) {
            violations.add(script.operation() + ": " + problem);
            throw new AssertionError("invalid script " + script.operation() + ": " + problem + "\n" + script.text());
        }
    }

    /** @return what is wrong with the script, or null */
    static String problems(PowerShellScript script) {
        List<Token> tokens;
        try {
            tokens = PowerShellTokenizer.tokenize(script.text());
        } catch (PowerShellTokenizer.SyntaxError e) {
            return "does not tokenize: " + e.getMessage();
        }
        List<String> literals = tokens.stream().filter(t -> t.kind() == Kind.STRING).map(Token::text).toList();
        if (!literals.equals(script.literals())) {
            return "string literals " + literals + " differ from the interpolated values " + script.literals();
        }
        for (Token t : tokens) {
            if (t.kind() == Kind.EXPANDABLE_STRING || t.kind() == Kind.HERE_STRING || t.kind() == Kind.ESCAPE) {
                return "contains " + t;
            }
        }
        for (PsCommands.Invocation command : PsCommands.of(tokens)) {
            if (!KNOWN_COMMANDS.contains(command.name())) {
                return "calls unknown command " + command.name();
            }
        }
        return null;
    }

    private static boolean isUuid(String text) {
        try {
            UUID.fromString(text);
            return text.length() == 36;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
