package io.bulkhead.core.qrexec.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulkhead.core.qrexec.AskRequest;
import java.io.PipedReader;
import java.io.PipedWriter;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConsoleAskPromptTest {
    private static final AskRequest REQ = new AskRequest("work", "qubes.Gpg", "+", List.of("vault", "vault2"), "vault2");

    @Test
    void answersByNumberNameOrDefault() {
        assertEquals(Optional.of("vault"), ConsoleAskPrompt.choose("1", REQ));
        assertEquals(Optional.of("vault2"), ConsoleAskPrompt.choose(" vault2 ", REQ));
        assertEquals(Optional.of("vault2"), ConsoleAskPrompt.choose("", REQ), "Enter takes the default");
        assertEquals(Optional.empty(), ConsoleAskPrompt.choose("", new AskRequest("w", "s", "+", List.of("a"), "")));
        assertEquals(Optional.empty(), ConsoleAskPrompt.choose("n", REQ));
        assertEquals(Optional.empty(), ConsoleAskPrompt.choose("3", REQ));
        assertEquals(Optional.empty(), ConsoleAskPrompt.choose("dom0", REQ));
        assertEquals(Optional.empty(), ConsoleAskPrompt.choose(null, REQ));
    }

    @Test
    void asksOnTheTerminalAndDeniesWithoutOne() {
        StringWriter shown = new StringWriter();
        ConsoleAskPrompt prompt = new ConsoleAskPrompt(5_000, () -> Optional.of(terminal(shown, new StringReader("2\n"))));
        assertEquals(Optional.of("vault2"), prompt.ask(REQ));
        assertTrue(shown.toString().contains("work asks to call qubes.Gpg"), shown.toString());
        assertTrue(shown.toString().contains("2) vault2  (default)"), shown.toString());
        assertEquals(Optional.empty(), new ConsoleAskPrompt(5_000, Optional::empty).ask(REQ), "daemon mode: deny");
    }

    @Test
    void deniesWhenNobodyAnswersInTime() throws Exception {
        StringWriter shown = new StringWriter();
        try (PipedWriter never = new PipedWriter(); PipedReader silent = new PipedReader(never)) {
            ConsoleAskPrompt prompt = new ConsoleAskPrompt(200, () -> Optional.of(terminal(shown, silent)));
            assertEquals(Optional.empty(), prompt.ask(REQ));
            assertTrue(shown.toString().contains("no answer in time"));
        }
    }

    private static ConsoleAskPrompt.Terminal terminal(StringWriter out, Reader in) {
        PrintWriter w = new PrintWriter(out, true);
        return new ConsoleAskPrompt.Terminal() {
            @Override
            public PrintWriter writer() {
                return w;
            }

            @Override
            public Reader reader() {
                return in;
            }
        };
    }
}
