package io.bulkhead.core.admin.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import io.bulkhead.core.admin.AdminRequest;
import io.bulkhead.core.admin.ProtocolError;
import io.bulkhead.core.admin.internal.wire.ResponseEncoder;
import io.bulkhead.core.domains.DomainsService;
import io.bulkhead.core.domains.PermissionDenied;
import io.bulkhead.core.domains.QubesException;

/**
 * {@code admin.vm.volume.Import} and {@code ImportWithSize} through qrexec, as Qubes' scripts of
 * those names: the call's stdin is the raw volume data — exactly the volume's size for Import; a
 * decimal size line first, then that many bytes, for ImportWithSize. The data is spooled to a
 * temporary file in dom0's data directory and imported once it is complete; a short or long
 * stream is refused and the volume keeps its content.
 */
final class VolumeImportStream {
    static final String IMPORT = "admin.vm.volume.Import";
    static final String IMPORT_WITH_SIZE = "admin.vm.volume.ImportWithSize";
    /** ImportWithSize's first line: a decimal without sign, fewer than 20 digits, then LF. */
    private static final int MAX_SIZE_LINE = 20;

    private final AdminDispatcher dispatcher;
    private final DomainsService domains;
    private final Path spoolDir;

    VolumeImportStream(AdminDispatcher dispatcher, DomainsService domains, Path spoolDir) {
        this.dispatcher = dispatcher;
        this.domains = domains;
        this.spoolDir = spoolDir;
    }

    static boolean handles(String method) {
        return IMPORT.equals(method) || IMPORT_WITH_SIZE.equals(method);
    }

    /** The methods exist in the table for authorization; over the socket they cannot get their data. */
    static String socketRefusal(AdminRequest request) {
        throw new ProtocolError(request.method() + " takes the volume data on its qrexec stdin; on the dom0 socket use "
                + "bulkhead.vm.volume.ImportFile (qvm-volume import VM:VOLUME FILE)");
    }

    /** @return qubesd's answer frame */
    byte[] serve(AdminRequest header, InputStream data) {
        try {
            dispatcher.authorize(header);
            String volume = header.argument();
            if (!domains.volumeNames(header.destination()).contains(volume)) {
                throw new PermissionDenied("Argument not in " + domains.volumeNames(header.destination()));
            }
            long size = IMPORT.equals(header.method()) ? domains.volumeInfo(header.destination(), volume).config().size()
                    : sizeLine(data);
            Path spool = Files.createTempFile(spoolDir, ".import-" + header.destination() + "-", ".img");
            try {
                copyExactly(data, spool, size);
                domains.importVolume(header.destination(), volume, spool);
            } finally {
                Files.deleteIfExists(spool);
            }
            return ResponseEncoder.success("");
        } catch (QubesException e) {
            return ResponseEncoder.error(e.qubesClass(), e.getMessage());
        } catch (IOException e) {
            return ResponseEncoder.error("QubesException", header.method() + " failed: " + e.getMessage());
        }
    }

    private static long sizeLine(InputStream data) throws IOException {
        StringBuilder digits = new StringBuilder();
        int c;
        while ((c = data.read()) != '\n') {
            if (c < 0 || digits.length() >= MAX_SIZE_LINE) {
                throw new ProtocolError(IMPORT_WITH_SIZE + ": the data must start with the size in bytes and a newline");
            }
            digits.append((char) c);
        }
        String text = digits.toString();
        if (!text.matches("0|[1-9][0-9]{0,18}")) {
            throw new ProtocolError(IMPORT_WITH_SIZE + ": invalid size '" + new String(text.getBytes(StandardCharsets.ISO_8859_1),
                    StandardCharsets.US_ASCII) + "'");
        }
        return Long.parseLong(text);
    }

    private static void copyExactly(InputStream data, Path target, long size) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long copied = 0;
        try (OutputStream out = Files.newOutputStream(target)) {
            while (copied < size) {
                int n = data.read(buffer, 0, (int) Math.min(buffer.length, size - copied));
                if (n < 0) {
                    throw new QubesException("volume data ended after " + copied + " of " + size + " bytes; nothing was imported");
                }
                out.write(buffer, 0, n);
                copied += n;
            }
        }
        if (data.read() >= 0) {
            throw new QubesException("more volume data than the " + size + " bytes expected; nothing was imported");
        }
    }
}
