package io.bulkhead.core.domains.internal;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.TreeMap;

/**
 * Child process of the crash test: opens the store, then applies the seeded workload forever,
 * appending {@code ACK <n>} to an acknowledgement file after each call has returned (i.e. after
 * it was persisted). A plain file write survives SIGKILL of the writer (it is in the page cache),
 * unlike bytes in transit through a pipe that the parent JVM's process reaper may drop.
 */
public final class CrashChild {

    private CrashChild() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Random random = new Random(Long.parseLong(args[1]));
        try (FileOutputStream acks = new FileOutputStream(args[2], false)) {
            DomainsServiceImpl service = new DomainsServiceImpl(dir, "qubes.xml", "kvm", "qemu-img", (m, e) -> { });
            TreeMap<String, CrashWorkload.QubeState> projection = CrashWorkload.project(service);
            acks.write("READY\n".getBytes(StandardCharsets.US_ASCII));
            for (long n = 1; ; n++) {
                CrashWorkload.Mutation m = CrashWorkload.next(random, projection);
                m.apply(service);
                m.apply(projection);
                acks.write(("ACK " + n + "\n").getBytes(StandardCharsets.US_ASCII));
            }
        }
    }
}
