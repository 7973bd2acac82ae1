package io.bulkhead.qvm;

import java.util.Arrays;

import io.bulkhead.qvm.client.QubesdClient;
import io.bulkhead.qvm.internal.Io;
import io.bulkhead.qvm.internal.Tools;

/**
 * {@code java io.bulkhead.qvm.Main TOOL [ARGS]}: runs one qvm-* tool ({@code qvm-ls}, {@code qvm-prefs}, ...) against
 * the qubesd socket ({@code $BULKHEAD_ADMIN_SOCKET}, else {@code ${BULKHEAD_DATA:-~/.bulkhead}/run/qubesd.sock}).
 * The launcher's {@code ./bulkhead qvm-ls ...} wrappers call this.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        if (args.length == 0 || args[0].startsWith("-")) {
            System.err.println("usage: io.bulkhead.qvm.Main TOOL [ARGS]\ntools: " + String.join(" ", Tools.NAMES));
            System.exit(2);
        }
        String tool = args[0].substring(args[0].lastIndexOf('/') + 1);
        System.exit(Tools.run(tool, Arrays.copyOfRange(args, 1, args.length), Io.system(), QubesdClient.fromEnvironment()));
    }
}
