package io.bulkhead.qvm.client;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads an {@code admin.Events} answer: frames {@code 1\0subject\0event\0(key\0value\0)*\0}, the first being
 * {@code connection-established}. An error answer ({@code 2\0...}) is thrown as a {@link QubesCallException}.
 * Closing the stream ends the subscription.
 */
public final class EventStream implements Closeable {
    private final InputStream in;

    /** @param in the raw answer of an {@code admin.Events} call, header included */
    public EventStream(InputStream in) {
        this.in = in;
    }

    /**
     * Blocks until the next event.
     *
     * @return the event, or empty when qubesd closed the stream
     * @throws QubesCallException when qubesd answered an error, or the stream is malformed
     */
    public Optional<QubesEvent> next() throws IOException {
        int kind = in.read();
        if (kind < 0) {
            return Optional.empty();
        }
        if (in.read() != 0) {
            throw malformed();
        }
        if (kind == '2') {
            throw QubesdProtocol.readError(in);
        }
        if (kind != '1') {
            throw malformed();
        }
        try {
            String subject = QubesdProtocol.readField(in);
            String name = QubesdProtocol.readField(in);
            Map<String, String> arguments = new LinkedHashMap<>();
            for (String key = QubesdProtocol.readField(in); !key.isEmpty(); key = QubesdProtocol.readField(in)) {
                arguments.put(key, QubesdProtocol.readField(in));
            }
            return Optional.of(new QubesEvent(subject, name, arguments));
        } catch (EOFException e) {
            throw new QubesCallException(QubesCallException.DAEMON_COMMUNICATION_ERROR, "admin.Events stream cut inside an event");
        }
    }

    private static QubesCallException malformed() {
        return new QubesCallException(QubesCallException.DAEMON_COMMUNICATION_ERROR, "Invalid response format in admin.Events stream");
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
