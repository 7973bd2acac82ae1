package io.bulkhead.core.qrexec.internal;

import io.bulkhead.core.qrexec.AskPrompt;
import io.bulkhead.core.qrexec.AskRequest;
import java.io.Console;
import java.io.PrintWriter;
import java.io.Reader;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The default {@link AskPrompt}: asks on dom0's console (the terminal the JVM runs on) and
 * denies when there is none (daemon mode), when nobody answers in time, or on an answer that is
 * not a candidate. Ranked low so any other prompt replaces it.
 */
@Component(service = AskPrompt.class, property = "service.ranking:Integer=-1000",
        configurationPid = ConsoleAskPrompt.PID)
@Designate(ocd = ConsoleAskPrompt.Config.class)
public final class ConsoleAskPrompt implements AskPrompt {
    private static final System.Logger LOG = System.getLogger(ConsoleAskPrompt.class.getName());
    static final String PID = "io.bulkhead.core.qrexec.ask.console";

    /** Configuration of the console prompt. */
    @ObjectClassDefinition(name = "Bulkhead qrexec console ask prompt")
    public @interface Config {
        @AttributeDefinition(description = "Seconds to wait for an answer before denying")
        int timeoutSeconds() default 60;
    }

    /** Where the question goes and the answer comes from. */
    interface Terminal {
        PrintWriter writer();

        Reader reader();
    }

    private final long timeoutMillis;
    private final java.util.function.Supplier<Optional<Terminal>> terminal;

    @Activate
    public ConsoleAskPrompt(Config config) {
        this(TimeUnit.SECONDS.toMillis(config.timeoutSeconds()), ConsoleAskPrompt::systemConsole);
    }

    ConsoleAskPrompt(long timeoutMillis, java.util.function.Supplier<Optional<Terminal>> terminal) {
        this.timeoutMillis = timeoutMillis;
        this.terminal = terminal;
    }

    private static Optional<Terminal> systemConsole() {
        Console c = System.console();
        if (c == null) {
            return Optional.empty();
        }
        return Optional.of(new Terminal() {
            @Override
            public PrintWriter writer() {
                return c.writer();
            }

            @Override
            public Reader reader() {
                return c.reader();
            }
        });
    }

    @Override
    public synchronized Optional<String> ask(AskRequest request) {
        Optional<Terminal> t = terminal.get();
        if (t.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "no console to ask on: denying {0}{1} from {2}", request.service(),
                    request.argument(), request.source());
            return Optional.empty();
        }
        PrintWriter out = t.get().writer();
        out.println();
        out.println("qrexec: " + request.source() + " asks to call " + request.service()
                + ("+".equals(request.argument()) ? "" : request.argument()) + ". Allow it to:");
        for (int i = 0; i < request.targets().size(); i++) {
            String target = request.targets().get(i);
            out.println("  " + (i + 1) + ") " + target + (target.equals(request.defaultTarget()) ? "  (default)" : ""));
        }
        out.print("Number or name (Enter " + (request.defaultTarget().isEmpty() ? "denies" : "takes the default")
                + ", 'n' denies, " + TimeUnit.MILLISECONDS.toSeconds(timeoutMillis) + " s): ");
        out.flush();
        CompletableFuture<String> line = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                StringBuilder sb = new StringBuilder();
                Reader r = t.get().reader();
                int c;
                while ((c = r.read()) >= 0 && c != '\n') {
                    sb.append((char) c);
                }
                line.complete(c < 0 && sb.length() == 0 ? null : sb.toString());
            } catch (java.io.IOException e) {
                line.complete(null);
            }
        }, "qrexec-ask-console");
        reader.setDaemon(true);
        reader.start();
        String answer;
        try {
            answer = line.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            out.println();
            out.println("qrexec: no answer in time: denied");
            out.flush();
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException e) {
            return Optional.empty();
        }
        Optional<String> choice = choose(answer, request);
        out.println(choice.map(c -> "qrexec: allowed to " + c).orElse("qrexec: denied"));
        out.flush();
        return choice;
    }

    /** @return the candidate an answer designates (number, name, Enter for the default), else empty */
    static Optional<String> choose(String answer, AskRequest request) {
        if (answer == null) {
            return Optional.empty();
        }
        String a = answer.trim();
        if (a.isEmpty()) {
            return request.defaultTarget().isEmpty() ? Optional.empty() : Optional.of(request.defaultTarget());
        }
        if (a.chars().allMatch(Character::isDigit) && a.length() < 6) {
            int i = Integer.parseInt(a) - 1;
            return i >= 0 && i < request.targets().size() ? Optional.of(request.targets().get(i)) : Optional.empty();
        }
        return request.targets().contains(a) ? Optional.of(a) : Optional.empty();
    }
}
