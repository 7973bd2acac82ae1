package io.bulkhead.core.qrexec.protocol;

/**
 * Size rules per message type, checked on the header before any payload is read or allocated.
 * They follow what Qubes' daemon and agent accept (b.2, b.3, b.11 of the reference).
 */
public final class MessageLimits {

    /** Service name plus argument, NUL included, in a trigger message. */
    public static final int MAX_SERVICE_NAME_LEN = 65000;
    /** A command line in {@code exec_params} (Qubes' {@code MAX_QREXEC_CMD_LEN}). */
    public static final int MAX_COMMAND_LEN = 65535;
    /** {@code struct exec_params} without its command. */
    public static final int EXEC_PARAMS_SIZE = 8;
    /** {@code struct service_params}: {@code char ident[32]}. */
    public static final int IDENT_SIZE = 32;
    /** {@code struct trigger_service_params} (protocol 2). */
    public static final int TRIGGER_V2_SIZE = 128;
    /** Fixed part of {@code struct trigger_service_params3}. */
    public static final int TRIGGER_V3_FIXED = 96;
    /** Fixed part of {@code struct trigger_service_params4}. */
    public static final int TRIGGER_V4_FIXED = 160;
    /** A service name part (before {@code +}) longer than this is refused at execution (NAME_MAX). */
    public static final int MAX_SERVICE_NAME_PART = 255;

    private MessageLimits() {
    }

    /**
     * Checks a received header.
     *
     * @param type    the type field
     * @param length  the len field, as read (an unsigned value above 2^31 shows as negative)
     * @param version negotiated version (chunk limit); before the hello use {@link ProtocolVersion#CURRENT}
     * @throws ProtocolException for an unknown type or a length the type does not allow
     */
    public static void check(int type, int length, int version) throws ProtocolException {
        if (!MessageType.isKnown(type)) {
            throw new ProtocolException("unknown message type " + MessageType.name(type)
                    + " (length " + Integer.toUnsignedString(length) + ")");
        }
        int min;
        int max;
        switch (type) {
            case MessageType.HELLO: min = 4; max = 4; break;
            case MessageType.DATA_STDIN:
            case MessageType.DATA_STDOUT:
            case MessageType.DATA_STDERR: min = 0; max = ProtocolVersion.maxDataChunk(version); break;
            case MessageType.DATA_EXIT_CODE: min = 0; max = 4; break;
            case MessageType.EXEC_CMDLINE:
            case MessageType.JUST_EXEC: min = EXEC_PARAMS_SIZE + 1; max = EXEC_PARAMS_SIZE + MAX_COMMAND_LEN; break;
            case MessageType.SERVICE_CONNECT: min = EXEC_PARAMS_SIZE + 1; max = EXEC_PARAMS_SIZE + IDENT_SIZE; break;
            case MessageType.SERVICE_REFUSED: min = IDENT_SIZE; max = IDENT_SIZE; break;
            case MessageType.TRIGGER_SERVICE: min = TRIGGER_V2_SIZE; max = TRIGGER_V2_SIZE; break;
            case MessageType.TRIGGER_SERVICE3: min = TRIGGER_V3_FIXED + 1; max = TRIGGER_V3_FIXED + MAX_SERVICE_NAME_LEN; break;
            case MessageType.TRIGGER_SERVICE4: min = TRIGGER_V4_FIXED + 1; max = TRIGGER_V4_FIXED + MAX_SERVICE_NAME_LEN; break;
            case MessageType.CONNECTION_TERMINATED: min = EXEC_PARAMS_SIZE; max = EXEC_PARAMS_SIZE; break;
            default: throw new AssertionError(type);
        }
        if (length < min || length > max) {
            throw new ProtocolException(MessageType.name(type) + " with length " + Integer.toUnsignedString(length)
                    + " (allowed " + (min == max ? String.valueOf(min) : min + ".." + max) + ")");
        }
    }
}
