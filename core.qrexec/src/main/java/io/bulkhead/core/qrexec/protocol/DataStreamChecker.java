package io.bulkhead.core.qrexec.protocol;

/**
 * Enforces the data-connection rules on the messages one side sends: {@code MSG_HELLO} first and
 * once; the caller sends only {@code STDIN} and nothing after its EOF; the service sends
 * {@code STDOUT}/{@code STDERR} (nothing on a stream after its EOF) and then exactly one
 * {@code EXIT_CODE}, after which nothing; data chunks within the negotiated limit. Not thread safe.
 */
public final class DataStreamChecker {

    /** Which side of a data connection sends the checked messages. */
    public enum Sender {
        /** The calling side: sends stdin. */
        CALLER,
        /** The service (or command) side: sends stdout, stderr, exit code. */
        SERVICE
    }

    private final Sender sender;
    private final OpeningHello hello;
    private boolean stdinEnded;
    private boolean stdoutEnded;
    private boolean stderrEnded;
    private boolean exited;

    /**
     * @param sender     who sends the messages checked here
     * @param ownVersion the receiving side's version, for the negotiation
     */
    public DataStreamChecker(Sender sender, int ownVersion) {
        this.sender = sender;
        this.hello = new OpeningHello(ownVersion);
    }

    /** Checks the next message from the sender. */
    public void accept(Message m) throws ProtocolException {
        if (hello.accept(m, sender, "a data connection")) {
            return;
        }
        int type = m.type();
        if (type == MessageType.HELLO) {
            throw new ProtocolException(sender + " sent a second MSG_HELLO on a data connection");
        }
        if (sender == Sender.CALLER) {
            if (type != MessageType.DATA_STDIN) {
                throw new ProtocolException("caller sent " + m + " on a data connection (only MSG_DATA_STDIN allowed)");
            }
            if (stdinEnded) {
                throw new ProtocolException("caller sent " + m + " after stdin EOF");
            }
            stdinEnded = m.length() == 0;
            return;
        }
        if (exited) {
            throw new ProtocolException("service sent " + m + " after its exit code");
        }
        switch (type) {
            case MessageType.DATA_STDOUT:
                if (stdoutEnded) {
                    throw new ProtocolException("service sent " + m + " after stdout EOF");
                }
                stdoutEnded = m.length() == 0;
                break;
            case MessageType.DATA_STDERR:
                if (stderrEnded) {
                    throw new ProtocolException("service sent " + m + " after stderr EOF");
                }
                stderrEnded = m.length() == 0;
                break;
            case MessageType.DATA_EXIT_CODE:
                exited = true;
                break;
            default:
                throw new ProtocolException("service sent " + m + " on a data connection");
        }
    }

    /** @return the negotiated version, 0 before the hello */
    public int version() {
        return hello.version();
    }

    /** @return whether the sender has said everything: stdin EOF (caller) or the exit code (service) */
    public boolean isDone() {
        return sender == Sender.CALLER ? stdinEnded : exited;
    }
}
