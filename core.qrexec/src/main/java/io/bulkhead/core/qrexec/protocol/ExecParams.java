package io.bulkhead.core.qrexec.protocol;

import java.nio.charset.StandardCharsets;

/**
 * {@code struct exec_params { uint32 connect_domain; uint32 connect_port; char cmdline[]; }}, the
 * payload of {@code MSG_EXEC_CMDLINE}, {@code MSG_JUST_EXEC} (with a NUL-terminated command) and
 * {@code MSG_CONNECTION_TERMINATED} (without one).
 *
 * @param connectDomain domain id of the peer of the data connection
 * @param connectPort   port (here: the mux stream id) of the data connection
 * @param command       the command line ({@code user:command}), or {@code null} for none
 */
public record ExecParams(int connectDomain, int connectPort, String command) {

    /** @return the payload: 8 bytes, then the UTF-8 command and a NUL if there is one */
    public byte[] encode() {
        byte[] cmd = command == null ? null : command.getBytes(StandardCharsets.UTF_8);
        if (cmd != null && cmd.length + 1 > MessageLimits.MAX_COMMAND_LEN) {
            throw new IllegalArgumentException("command longer than " + (MessageLimits.MAX_COMMAND_LEN - 1) + " bytes");
        }
        if (cmd != null && CStrings.indexOfNul(cmd, 0, cmd.length) >= 0) {
            throw new IllegalArgumentException("command contains a NUL byte");
        }
        byte[] out = new byte[MessageLimits.EXEC_PARAMS_SIZE + (cmd == null ? 0 : cmd.length + 1)];
        LittleEndian.putInt(out, 0, connectDomain);
        LittleEndian.putInt(out, 4, connectPort);
        if (cmd != null) {
            System.arraycopy(cmd, 0, out, MessageLimits.EXEC_PARAMS_SIZE, cmd.length);
        }
        return out;
    }

    /**
     * Decodes a payload with a command: at least one command byte, NUL-terminated, no NUL inside.
     */
    public static ExecParams decode(byte[] payload) throws ProtocolException {
        int n = payload.length;
        if (n <= MessageLimits.EXEC_PARAMS_SIZE) {
            throw new ProtocolException("exec_params of " + n + " bytes has no command");
        }
        if (payload[n - 1] != 0) {
            throw new ProtocolException("exec_params command is not NUL-terminated");
        }
        int nul = CStrings.indexOfNul(payload, MessageLimits.EXEC_PARAMS_SIZE, n - 1);
        if (nul >= 0) {
            throw new ProtocolException("exec_params command contains a NUL at offset " + nul);
        }
        return new ExecParams(LittleEndian.getInt(payload, 0), LittleEndian.getInt(payload, 4),
                new String(payload, MessageLimits.EXEC_PARAMS_SIZE, n - 1 - MessageLimits.EXEC_PARAMS_SIZE, StandardCharsets.UTF_8));
    }

    /** Decodes the 8-byte form ({@code MSG_CONNECTION_TERMINATED}). */
    public static ExecParams decodeWithoutCommand(byte[] payload) throws ProtocolException {
        if (payload.length != MessageLimits.EXEC_PARAMS_SIZE) {
            throw new ProtocolException("exec_params without command must be 8 bytes, got " + payload.length);
        }
        return new ExecParams(LittleEndian.getInt(payload, 0), LittleEndian.getInt(payload, 4), null);
    }

    /**
     * The {@code MSG_SERVICE_CONNECT} payload as Qubes' {@code send_service_connect} writes it:
     * {@code exec_params} followed by a 32-byte NUL-padded ident.
     */
    public static byte[] encodeServiceConnect(int connectDomain, int connectPort, String ident) {
        byte[] out = new byte[MessageLimits.EXEC_PARAMS_SIZE + MessageLimits.IDENT_SIZE];
        LittleEndian.putInt(out, 0, connectDomain);
        LittleEndian.putInt(out, 4, connectPort);
        ServiceParams.putIdent(out, MessageLimits.EXEC_PARAMS_SIZE, ident);
        return out;
    }

    /**
     * Decodes a {@code MSG_SERVICE_CONNECT} payload: exec_params and an ident that is
     * NUL-terminated (a shorter, unpadded field is accepted) and only NUL after the terminator.
     */
    public static ExecParams decodeServiceConnect(byte[] payload) throws ProtocolException {
        int n = payload.length;
        if (n <= MessageLimits.EXEC_PARAMS_SIZE || n > MessageLimits.EXEC_PARAMS_SIZE + MessageLimits.IDENT_SIZE) {
            throw new ProtocolException("MSG_SERVICE_CONNECT payload of " + n + " bytes");
        }
        String ident = ServiceParams.readIdent(payload, MessageLimits.EXEC_PARAMS_SIZE, n - MessageLimits.EXEC_PARAMS_SIZE);
        return new ExecParams(LittleEndian.getInt(payload, 0), LittleEndian.getInt(payload, 4), ident);
    }
}
