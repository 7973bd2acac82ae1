package io.bulkhead.qvm.internal.gogo;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintStream;

import io.bulkhead.qvm.client.AdminTransport;
import io.bulkhead.qvm.internal.Io;
import io.bulkhead.qvm.internal.Tools;

/** Runs a tool on the calling Gogo session's streams. */
final class SessionTools {

    private SessionTools() {
    }

    /** @return the tool's exit code */
    static int run(AdminTransport transport, String tool, String... args) {
        // Gogo swaps System.out/err per session thread; a console command reads no input
        InputStream noInput = new ByteArrayInputStream(new byte[0]);
        PrintStream out = System.out;
        PrintStream err = System.err;
        return Tools.run(tool, args, new Io(noInput, out, err, false), transport);
    }
}
