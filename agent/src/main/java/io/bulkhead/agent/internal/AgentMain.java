package io.bulkhead.agent.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Command line of the guest agent jar:
 *
 * <pre>
 * java -jar bulkhead-agent.jar [--device|--port PATH | --connect SOCKET] [--rpc-dir DIR[:DIR...]]
 *      [--client-socket PATH|none] [--user-switch auto|su|none] [--once] [--no-prewarm]
 *      [--warm-users USER[,USER...]|none] [--log-level LEVEL]
 * java -jar bulkhead-agent.jar qrexec-client-vm [options] TARGET SERVICE[+ARG] [PROG [ARGS...]]
 * </pre>
 *
 * <p>Without {@code --device}/{@code --connect} the agent uses {@code $BULKHEAD_AGENT_PORT}, else
 * the first existing of {@code /dev/virtio-ports/qrexec}, {@code /dev/virtio-ports/org.qubes-os.qrexec},
 * {@code /dev/vport0p1}.
 */
public final class AgentMain {
    private AgentMain() {
    }

    public static void main(String[] args) throws Exception {
        // FORK avoids jspawnhelper's second exec (slow under TCG); set before any ProcessBuilder use
        if (System.getProperty("jdk.lang.Process.launchMechanism") == null) {
            System.setProperty("jdk.lang.Process.launchMechanism", "FORK");
        }
        if (args.length > 0 && args[0].equals("qrexec-client-vm")) {
            System.exit(ClientVm.run(Arrays.copyOfRange(args, 1, args.length)));
            return;
        }
        // hidden: the template builder's training run for the class-data archive (TrainingRun)
        boolean train = args.length > 0 && args[0].equals("--train");
        AgentConfig config;
        try {
            config = parse(train ? Arrays.copyOfRange(args, 1, args.length) : args);
        } catch (IllegalArgumentException e) {
            System.err.println("qrexec-agent: " + e.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        }
        Log log = new Log(config.logLevel());
        if (train) {
            System.exit(TrainingRun.run(config, log));
            return;
        }
        try (Agent agent = new Agent(config, log)) {
            // a class, not a method reference: no lambda on the way to the hello (see Agent)
            Runtime.getRuntime().addShutdownHook(new Thread(new Runnable() {
                @Override
                public void run() {
                    agent.close();
                }
            }));
            agent.run();
        }
    }

    static String usage() {
        return "usage: qrexec-agent [--device|--port PATH | --connect SOCKET] [--rpc-dir DIR[:DIR...]] "
                + "[--client-socket PATH|none] [--user-switch auto|su|none] [--once] [--no-prewarm] "
                + "[--warm-users USER[,USER...]|none] [--log-level debug|info|warn|error]\n"
                + "       qrexec-agent qrexec-client-vm [--agent-socket PATH] [-s SOURCE] TARGET SERVICE[+ARG] [PROG [ARGS...]]";
    }

    static AgentConfig parse(String[] args) {
        Path device = null;
        Path connect = null;
        List<Path> rpcDirs = AgentConfig.DEFAULT_RPC_DIRS;
        Path clientSocket = AgentConfig.DEFAULT_CLIENT_SOCKET;
        AgentConfig.UserSwitch userSwitch = AgentConfig.UserSwitch.AUTO;
        boolean once = false;
        boolean prewarm = true;
        List<String> warmUsers = AgentConfig.DEFAULT_WARM_USERS;
        Log.Level level = Log.Level.INFO;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                value = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            switch (a) {
                case "--device":
                case "--port": // the template builder's name for it
                    device = Path.of(value != null ? value : next(args, ++i, a));
                    break;
                case "--connect": connect = Path.of(value != null ? value : next(args, ++i, a)); break;
                case "--rpc-dir": {
                    List<Path> dirs = new ArrayList<>();
                    for (String d : (value != null ? value : next(args, ++i, a)).split(":")) {
                        if (!d.isEmpty()) {
                            dirs.add(Path.of(d));
                        }
                    }
                    rpcDirs = List.copyOf(dirs);
                    break;
                }
                case "--client-socket": {
                    String v = value != null ? value : next(args, ++i, a);
                    clientSocket = v.equals("none") ? null : Path.of(v);
                    break;
                }
                case "--user-switch":
                    try {
                        userSwitch = AgentConfig.UserSwitch.valueOf((value != null ? value : next(args, ++i, a)).toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("--user-switch takes auto, su or none");
                    }
                    break;
                case "--once": once = true; break;
                case "--no-prewarm": prewarm = false; break;
                case "--warm-users": warmUsers = warmUsers(value != null ? value : next(args, ++i, a)); break;
                case "--log-level":
                    try {
                        level = Log.Level.valueOf((value != null ? value : next(args, ++i, a)).toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("--log-level takes debug, info, warn or error");
                    }
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
            }
        }
        if (device == null && connect == null) {
            String port = System.getenv("BULKHEAD_AGENT_PORT");
            if (port != null && !port.isEmpty()) {
                device = Path.of(port);
            }
        }
        if (device != null && connect != null) {
            throw new IllegalArgumentException("--device and --connect exclude each other");
        }
        return new AgentConfig(device, connect, rpcDirs, clientSocket, userSwitch, once, prewarm, warmUsers, level);
    }

    private static List<String> warmUsers(String value) {
        if (value.equals("none")) {
            return List.of();
        }
        List<String> users = new ArrayList<>();
        for (String u : value.split(",", -1)) {
            if (u.isEmpty() || u.contains(":") || u.contains("/") || u.contains("\n")) {
                throw new IllegalArgumentException("--warm-users takes a comma-separated list of user names or 'none', not '" + value + "'");
            }
            users.add(u);
        }
        return List.copyOf(users);
    }

    private static String next(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
