package io.bulkhead.core.qrexec.protocol;

/**
 * The command of {@code MSG_EXEC_CMDLINE}/{@code MSG_JUST_EXEC}: {@code user:[nogui:]command},
 * where the command is either a shell command or {@code QUBESRPC svc+arg source}. Parsed as
 * Qubes' {@code parse_qubes_rpc_command} does.
 *
 * @param user    the account to run as ({@code DEFAULT} is replaced by the daemon)
 * @param nogui   the {@code nogui:} prefix was present
 * @param command the text after the prefixes
 * @param service the parsed service call, or {@code null} for a shell command
 */
public record CommandLine(String user, boolean nogui, String command, ServiceCall service) {

    /** Prefix that tells the agent not to wait for a GUI session. */
    public static final String NOGUI_PREFIX = "nogui:";

    /** @return whether this is a service call */
    public boolean isService() {
        return service != null;
    }

    /** @return a shell command line {@code user:command} */
    public static String shell(String user, String command) {
        return user + ":" + command;
    }

    /** @return a service command line {@code user:QUBESRPC svc+arg source...} */
    public static String service(String user, ServiceCall call) {
        return user + ":" + call.toCommand();
    }

    /**
     * @throws ProtocolException naming what is wrong: no colon, {@code QUBESRPC} not followed by a
     *                           space, empty or too long descriptor, empty source
     */
    public static CommandLine parse(String line) throws ProtocolException {
        int colon = line.indexOf(':');
        if (colon < 0) {
            throw new ProtocolException("bad command (no colon): " + abbreviate(line));
        }
        String user = line.substring(0, colon);
        String command = line.substring(colon + 1);
        boolean nogui = command.startsWith(NOGUI_PREFIX);
        if (nogui) {
            command = command.substring(NOGUI_PREFIX.length());
        }
        if (!command.startsWith(ServiceCall.RPC_PREFIX)) {
            return new CommandLine(user, nogui, command, null);
        }
        String rest = command.substring(ServiceCall.RPC_PREFIX.length());
        if (rest.isEmpty() || rest.charAt(0) != ' ') {
            throw new ProtocolException("\"QUBESRPC\" not followed by space");
        }
        rest = rest.substring(1);
        int space = rest.indexOf(' ');
        if (space < 0) {
            throw new ProtocolException("no space after service descriptor");
        }
        if (space == 0) {
            throw new ProtocolException("service descriptor is empty");
        }
        String descriptor = rest.substring(0, space);
        if (descriptor.length() > MessageLimits.MAX_SERVICE_NAME_LEN) {
            throw new ProtocolException("service descriptor too long (" + descriptor.length() + ")");
        }
        String name = QrexecNames.serviceName(descriptor);
        if (name.isEmpty()) {
            throw new ProtocolException("service name empty");
        }
        if (name.length() > MessageLimits.MAX_SERVICE_NAME_PART) {
            throw new ProtocolException("service name too long to execute (" + name.length() + ")");
        }
        rest = rest.substring(space + 1);
        int end = rest.indexOf(' ');
        String source = end < 0 ? rest : rest.substring(0, end);
        if (source.isEmpty()) {
            throw new ProtocolException("source domain is empty");
        }
        String type = "";
        String target = "";
        if (end >= 0) {
            String tail = rest.substring(end + 1);
            int sp = tail.indexOf(' ');
            type = sp < 0 ? tail : tail.substring(0, sp);
            target = sp < 0 ? "" : tail.substring(sp + 1);
        }
        return new CommandLine(user, nogui, command,
                new ServiceCall(name, QrexecNames.argument(descriptor), source, type, target));
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
