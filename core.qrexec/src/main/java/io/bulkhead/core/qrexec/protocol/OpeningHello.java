package io.bulkhead.core.qrexec.protocol;

/**
 * The {@code MSG_HELLO} that opens a control link or a data connection, as the checkers see it: every message
 * within the limits of the version known so far, the hello before anything else, and the version it negotiates.
 * Not thread safe.
 */
final class OpeningHello {
    private final int ownVersion;
    private int version;

    /** @param ownVersion the receiving side's version, for the negotiation */
    OpeningHello(int ownVersion) {
        this.ownVersion = ownVersion;
    }

    /**
     * Checks the message's limits and, until the hello arrived, that it is the hello.
     *
     * @param sender who sent the message, as error messages name it
     * @param link   where it was sent, as error messages name it ("the control link", "a data connection")
     * @return whether the message was the opening hello, which needs no further checks
     */
    boolean accept(Message m, Object sender, String link) throws ProtocolException {
        int type = m.type();
        MessageLimits.check(type, m.length(), version == 0 ? ownVersion : version);
        if (version != 0) {
            return false;
        }
        if (type != MessageType.HELLO) {
            throw new ProtocolException(sender + " sent " + m + " before MSG_HELLO on " + link);
        }
        version = ProtocolVersion.negotiate(ownVersion, LittleEndian.getInt(m.payload(), 0));
        return true;
    }

    /** @return the negotiated version, 0 before the hello */
    int version() {
        return version;
    }
}
