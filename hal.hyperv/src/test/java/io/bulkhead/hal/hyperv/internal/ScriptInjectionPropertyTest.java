package io.bulkhead.hal.hyperv.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.domains.hal.NetworkLink;
import io.bulkhead.hal.hyperv.internal.PowerShellTokenizer.Kind;
import io.bulkhead.hal.hyperv.internal.PowerShellTokenizer.Token;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Every script the backend can generate, built once with harmless values and once with hostile
 * ones: both must tokenize to the same shape (same tokens, same commands, same number of string
 * literals, only literal values differ), and each hostile value must arrive as exactly the literal
 * that held its harmless stand-in. So no value, whatever it contains, can end its literal early,
 * add a command or change a parameter.
 */
class ScriptInjectionPropertyTest {

    private static final UUID QUBE = UUID.fromString("5b1f3a52-8a3e-4f6e-9c1d-0a4b2c3d4e5f");
    private static final UUID NETVM = UUID.fromString("c0ffee00-1111-2222-3333-444455556666");
    private static final UUID CHECKPOINT = UUID.fromString("0d0e0a0d-beef-4bad-8a55-123456789abc");

    /** The harmless stand-ins, one per kind of value. */
    private static final List<String> BENIGN = List.of("benign-vm", "C:\\benign\\parent.vhdx", "C:\\benign\\private.vhdx",
            "benign-netvm", "benign-prefix-", "D:\\benign-vhdx-root", "benign-external", "benign-template", "benign-host",
            "benign-endpoint");

    @Provide
    Arbitrary<List<String>> hostileSets() {
        return HostileStrings.values().list().ofSize(BENIGN.size());
    }

    /** Builds a script from the ten values in {@link #BENIGN} order. */
    private static void check(List<String> hostile, Function<List<String>, PowerShellScript> generator) {
        PowerShellScript benignScript = generator.apply(BENIGN);
        PowerShellScript hostileScript = generator.apply(hostile);
        assertNull(FakeHyperV.problems(benignScript), benignScript.text());
        assertNull(FakeHyperV.problems(hostileScript), hostileScript.text());
        List<Token> benignTokens = PowerShellTokenizer.tokenize(benignScript.text());
        List<Token> hostileTokens = PowerShellTokenizer.tokenize(hostileScript.text());
        assertEquals(shape(benignTokens), shape(hostileTokens), "the values changed the script's structure");
        Map<String, String> exact = new LinkedHashMap<>();
        for (int i = 0; i < BENIGN.size(); i++) {
            exact.put(BENIGN.get(i), hostile.get(i));
        }
        for (int i = 0; i < benignScript.literals().size(); i++) {
            String stood = benignScript.literals().get(i);
            if (exact.containsKey(stood)) {
                assertEquals(exact.get(stood), hostileScript.literals().get(i), "literal #" + i);
            }
        }
        for (int i = 0; i < BENIGN.size(); i++) {
            if (benignScript.literals().contains(BENIGN.get(i))) {
                assertTrue(hostileScript.literals().contains(hostile.get(i)), "value #" + i + " is interpolated whole");
            }
        }
        assertEquals(PsCommands.of(benignTokens).stream().map(PsCommands.Invocation::name).toList(),
                PsCommands.of(hostileTokens).stream().map(PsCommands.Invocation::name).toList());
    }

    /** Token kinds and texts, with literal values blanked out. */
    private static List<String> shape(List<Token> tokens) {
        return tokens.stream()
                .map(t -> t.kind() == Kind.STRING ? "STRING" : t.kind() + ":" + t.text()).toList();
    }

    private static NetworkLink link() {
        return new NetworkLink("netvm", "00:16:3e:5e:6c:05", "10.137.0.5", "10.137.0.1", "255.255.255.255",
                List.of("10.139.1.1"));
    }

    private static List<Scripts.NetvmPort> ports(List<String> v) {
        return List.of(new Scripts.NetvmPort(v.get(3), LinkSwitch.of(v.get(4), v.get(3), v.get(0), NETVM, link()), 0));
    }

    @Property(tries = 60)
    void defineScripts(@ForAll("hostileSets") List<String> v) {
        check(v, values -> new Scripts(values.get(5)).define(new VmDefinition(values.get(0), QUBE, 400L << 20,
                4000L << 20, 2,
                List.of(new DiskPlan.Differencing("root", values.get(1), "0-root.vhdx"),
                        new DiskPlan.Attach("private", values.get(2)),
                        new DiskPlan.Fresh("volatile", 10L << 30, "2-volatile.vhdx")),
                ports(values).stream().map(Scripts.NetvmPort::link).toList(), Optional.of(values.get(6)),
                Optional.of(QUBE), values.get(7))));
        check(v, values -> new Scripts("").define(new VmDefinition(values.get(0), QUBE, 400L << 20, 0, 1,
                List.of(new DiskPlan.Attach("root", values.get(2))), List.of(), Optional.empty(), Optional.empty(), "")));
    }

    @Property(tries = 30)
    void lifeCycleScripts(@ForAll("hostileSets") List<String> v) {
        check(v, values -> Scripts.start(values.get(0), ports(values)));
        check(v, values -> Scripts.unlink(values.get(0), ports(values)));
        check(v, values -> Scripts.pause(values.get(0)));
        check(v, values -> Scripts.resume(values.get(0)));
        check(v, values -> Scripts.resumeSaved(values.get(0)));
        check(v, values -> Scripts.requestShutdown(values.get(0)));
        check(v, values -> Scripts.turnOff(values.get(0)));
        check(v, values -> Scripts.discardSavedState(values.get(0)));
        check(v, values -> Scripts.checkpoint(values.get(0), values.get(7), Duration.ofMinutes(5)));
        check(v, values -> Scripts.restore(values.get(0), CHECKPOINT, ports(values), Duration.ofMinutes(5)));
        check(v, values -> new Scripts(values.get(5)).remove(values.get(0), Optional.of(QUBE)));
        check(v, values -> Scripts.assignPci(values.get(0), PciAddress.parse("00_14.0")));
        check(v, values -> Scripts.releasePci(values.get(0), PciAddress.parse("03_00.1")));
    }

    @Property(tries = 60)
    void hostScripts(@ForAll("hostileSets") List<String> v) {
        check(v, values -> ServiceRegistration.script(QUBE, values.get(7)));
        check(v, values -> RunnerLoop.program(Optional.of(new RunnerLoop.Remote(values.get(8), true, values.get(9),
                true))));
        check(v, values -> RunnerLoop.program(Optional.of(new RunnerLoop.Remote(values.get(8), false, values.get(9),
                false))));
    }

    @Property(tries = 100)
    void theBootstrapLineCarriesTheLoopUnchanged(@ForAll("hostileSets") List<String> v) {
        Optional<RunnerLoop.Remote> remote = Optional.of(new RunnerLoop.Remote(v.get(8), true, v.get(9), false));
        String line = RunnerLoop.bootstrapLine(remote);
        assertTrue(line.indexOf('\n') < 0 && line.indexOf('\r') < 0, "one line");
        List<Token> tokens = PowerShellTokenizer.tokenize(line);
        List<String> literals = tokens.stream().filter(t -> t.kind() == Kind.STRING).map(Token::text).toList();
        assertEquals(1, literals.size());
        String decoded = new String(java.util.Base64.getDecoder().decode(literals.get(0)),
                java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(RunnerLoop.program(remote).text(), decoded);
    }
}
