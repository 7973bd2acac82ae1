package io.bulkhead.core.qrexec.protocol;

/**
 * Enforces the control-link rules on the messages one side sends: {@code MSG_HELLO} first; then
 * the agent may send triggers of its version ({@code TRIGGER_SERVICE} only at version 2,
 * {@code TRIGGER_SERVICE3} from 3, {@code TRIGGER_SERVICE4} from 4) and
 * {@code CONNECTION_TERMINATED}; the daemon may send exec, connect and refused messages. Not
 * thread safe.
 */
public final class ControlChecker {

    /** Which end of the control link sends the checked messages. */
    public enum Sender { AGENT, DAEMON }

    private final Sender sender;
    private final OpeningHello hello;

    public ControlChecker(Sender sender, int ownVersion) {
        this.sender = sender;
        this.hello = new OpeningHello(ownVersion);
    }

    /** Checks the next message; a hello fixes the negotiated {@link #version()}. */
    public void accept(Message m) throws ProtocolException {
        if (hello.accept(m, sender, "the control link")) {
            return;
        }
        int type = m.type();
        int version = hello.version();
        boolean allowed;
        if (sender == Sender.AGENT) {
            switch (type) {
                case MessageType.TRIGGER_SERVICE: allowed = version < ProtocolVersion.V3; break;
                case MessageType.TRIGGER_SERVICE3: allowed = version >= ProtocolVersion.V3; break;
                case MessageType.TRIGGER_SERVICE4: allowed = version >= ProtocolVersion.V4; break;
                case MessageType.CONNECTION_TERMINATED: allowed = true; break;
                default: allowed = false;
            }
        } else {
            allowed = type == MessageType.EXEC_CMDLINE || type == MessageType.JUST_EXEC
                    || type == MessageType.SERVICE_CONNECT || type == MessageType.SERVICE_REFUSED;
        }
        if (!allowed) {
            throw new ProtocolException(sender.name().toLowerCase() + " sent " + m + " on the control link at protocol version " + version);
        }
    }

    /** @return the negotiated version, 0 before the hello */
    public int version() {
        return hello.version();
    }
}
