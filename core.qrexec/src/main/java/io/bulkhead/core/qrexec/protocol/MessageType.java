package io.bulkhead.core.qrexec.protocol;

/**
 * Qubes qrexec message type values ({@code libqrexec/qrexec.h}). Control-channel messages run
 * between daemon and agent; data messages run on the per-call data channel.
 */
public final class MessageType {

    /** daemon to agent: run a command, stdio connected; payload {@link ExecParams}. */
    public static final int EXEC_CMDLINE = 0x200;
    /** daemon to agent: run a command with stdio on /dev/null; payload {@link ExecParams}. */
    public static final int JUST_EXEC = 0x201;
    /** daemon to agent: connect a waiting caller; payload {@link ExecParams} whose command is the ident. */
    public static final int SERVICE_CONNECT = 0x202;
    /** daemon to agent: a call was refused; payload {@link ServiceParams} (32-byte ident). */
    public static final int SERVICE_REFUSED = 0x203;
    /** agent to daemon, protocol 2 only: call a service; 128-byte {@link TriggerServiceParams}. */
    public static final int TRIGGER_SERVICE = 0x210;
    /** agent to daemon: a data connection ended; payload {@link ExecParams} without command (8 bytes). */
    public static final int CONNECTION_TERMINATED = 0x211;
    /** agent to daemon, protocol 3+: call a service; {@link TriggerServiceParams} v3 layout. */
    public static final int TRIGGER_SERVICE3 = 0x212;
    /** agent to daemon, protocol 4+: call a service with a source field; v4 layout. */
    public static final int TRIGGER_SERVICE4 = 0x213;
    /** every link: version exchange; payload {@code uint32 version}. */
    public static final int HELLO = 0x300;
    /** data: caller to service bytes; empty payload is EOF. */
    public static final int DATA_STDIN = 0x190;
    /** data: service to caller bytes; empty payload is EOF. */
    public static final int DATA_STDOUT = 0x191;
    /** data: service to caller error bytes; empty payload is EOF. */
    public static final int DATA_STDERR = 0x192;
    /** data: service to caller, last message: {@code int32} exit status. */
    public static final int DATA_EXIT_CODE = 0x193;

    private MessageType() {
    }

    /** @return whether {@code type} is one of the values above */
    public static boolean isKnown(int type) {
        return !name(type).startsWith("0x");
    }

    /** @return whether {@code type} is a data-channel message */
    public static boolean isData(int type) {
        return type >= DATA_STDIN && type <= DATA_EXIT_CODE;
    }

    /** @return the Qubes name ({@code MSG_HELLO}) or the hex value for an unknown type */
    public static String name(int type) {
        switch (type) {
            case EXEC_CMDLINE: return "MSG_EXEC_CMDLINE";
            case JUST_EXEC: return "MSG_JUST_EXEC";
            case SERVICE_CONNECT: return "MSG_SERVICE_CONNECT";
            case SERVICE_REFUSED: return "MSG_SERVICE_REFUSED";
            case TRIGGER_SERVICE: return "MSG_TRIGGER_SERVICE";
            case CONNECTION_TERMINATED: return "MSG_CONNECTION_TERMINATED";
            case TRIGGER_SERVICE3: return "MSG_TRIGGER_SERVICE3";
            case TRIGGER_SERVICE4: return "MSG_TRIGGER_SERVICE4";
            case HELLO: return "MSG_HELLO";
            case DATA_STDIN: return "MSG_DATA_STDIN";
            case DATA_STDOUT: return "MSG_DATA_STDOUT";
            case DATA_STDERR: return "MSG_DATA_STDERR";
            case DATA_EXIT_CODE: return "MSG_DATA_EXIT_CODE";
            default: return "0x" + Integer.toHexString(type);
        }
    }
}
