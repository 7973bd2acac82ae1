package io.bulkhead.hal.xen.internal;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.NativeLongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Test fixture: Xen's own xl.cfg parser, libxlutil (libxen-dev / libxenmisc4.17), through JNA,
 * to check that what {@link XlConfig} writes is read back by Xen exactly as meant. Loading fails
 * the test (never skips it) when the library is missing.
 *
 * <p>Struct offsets read after {@code xlu_disk_parse} / {@code xlu_pci_parse_spec_string} come
 * from Xen 4.17's {@code _libxl_types.h} on LP64 (x86-64, arm64).
 */
final class LibXlUtil {

    private static final int ESRCH = 3;

    interface XlUtil extends Library {
        Pointer xlu_cfg_init(Pointer report, String reportFilename);

        int xlu_cfg_readdata(Pointer cfg, byte[] data, int length);

        void xlu_cfg_destroy(Pointer cfg);

        int xlu_cfg_get_string(Pointer cfg, String name, PointerByReference value, int dontWarn);

        int xlu_cfg_get_long(Pointer cfg, String name, NativeLongByReference value, int dontWarn);

        int xlu_cfg_get_list(Pointer cfg, String name, PointerByReference list, IntByReference entries, int dontWarn);

        Pointer xlu_cfg_get_listitem(Pointer list, int entry);

        int xlu_disk_parse(Pointer cfg, int nspecs, String[] specs, Pointer disk);

        int xlu_pci_parse_spec_string(Pointer cfg, Pointer pci, String spec);
    }

    interface XenLight extends Library {
        void libxl_device_disk_init(Pointer disk);

        void libxl_device_disk_dispose(Pointer disk);

        void libxl_device_pci_init(Pointer pci);

        void libxl_device_pci_dispose(Pointer pci);
    }

    interface C extends Library {
        Pointer open_memstream(PointerByReference buffer, NativeLongByReference size);

        int fflush(Pointer stream);

        int fclose(Pointer stream);

        void free(Pointer pointer);
    }

    private final XlUtil xlu;
    private final XenLight light;
    private final C libc;

    LibXlUtil() {
        Map<String, Object> utf8 = Map.of(Library.OPTION_STRING_ENCODING, "UTF-8");
        try {
            xlu = Native.load("xlutil", XlUtil.class, utf8);
            light = Native.load("xenlight", XenLight.class, utf8);
        } catch (UnsatisfiedLinkError e) {
            throw new AssertionError("Xen's libxlutil/libxenlight are needed to check xl.cfg files: install libxen-dev "
                    + "(scripts/install-deps.sh); " + e.getMessage(), e);
        }
        libc = Native.load("c", C.class, utf8);
    }

    /** A parsed xl.cfg, or the parser's report when it was rejected. */
    final class Parsed implements AutoCloseable {
        private final Pointer cfg;
        private final Pointer report;
        // open_memstream writes through both locations at every flush: they must live as long as the stream
        private final PointerByReference reportBuffer;
        private final NativeLongByReference reportSize;
        private final int status;

        private Parsed(Pointer cfg, Pointer report, PointerByReference reportBuffer, NativeLongByReference reportSize,
                int status) {
            this.cfg = cfg;
            this.report = report;
            this.reportBuffer = reportBuffer;
            this.reportSize = reportSize;
            this.status = status;
        }

        /** @return 0 when the text parsed, else the errno libxlutil returned */
        int status() {
            return status;
        }

        /** @return what libxlutil reported (syntax errors with file name and line) */
        String report() {
            libc.fflush(report);
            Pointer text = reportBuffer.getValue();
            return text == null ? "" : text.getString(0, "UTF-8");
        }

        Optional<String> string(String key) {
            requireParsed();
            PointerByReference value = new PointerByReference();
            int rc = xlu.xlu_cfg_get_string(cfg, key, value, 1);
            if (rc == ESRCH) {
                return Optional.empty();
            }
            if (rc != 0) {
                throw new AssertionError("xlu_cfg_get_string(" + key + ") = " + rc + " (not a string?)");
            }
            return Optional.of(value.getValue().getString(0, "UTF-8"));
        }

        OptionalLong number(String key) {
            requireParsed();
            NativeLongByReference value = new NativeLongByReference();
            int rc = xlu.xlu_cfg_get_long(cfg, key, value, 1);
            if (rc == ESRCH) {
                return OptionalLong.empty();
            }
            if (rc != 0) {
                throw new AssertionError("xlu_cfg_get_long(" + key + ") = " + rc + " (not a number?)");
            }
            return OptionalLong.of(value.getValue().longValue());
        }

        /** @return the list's items; empty when the key is absent */
        List<String> list(String key) {
            requireParsed();
            PointerByReference list = new PointerByReference();
            IntByReference entries = new IntByReference();
            int rc = xlu.xlu_cfg_get_list(cfg, key, list, entries, 1);
            if (rc == ESRCH) {
                return List.of();
            }
            if (rc != 0) {
                throw new AssertionError("xlu_cfg_get_list(" + key + ") = " + rc + " (not a list?)");
            }
            List<String> items = new ArrayList<>();
            for (int i = 0; i < entries.getValue(); i++) {
                items.add(xlu.xlu_cfg_get_listitem(list.getValue(), i).getString(0, "UTF-8"));
            }
            return items;
        }

        /** @return whether the key is set at all (string, number or list) */
        boolean has(String key) {
            requireParsed();
            PointerByReference value = new PointerByReference();
            return xlu.xlu_cfg_get_string(cfg, key, value, 1) != ESRCH;
        }

        /** Parses a disk spec with {@code xlu_disk_parse}, as xl does for each {@code disk=} item. */
        Disk disk(String spec) {
            Memory disk = new Memory(1024);
            disk.clear();
            light.libxl_device_disk_init(disk);
            try {
                int rc = xlu.xlu_disk_parse(cfg, 1, new String[] {spec}, disk);
                if (rc != 0) {
                    return new Disk(rc, report(), null, null, null, 0, false, false);
                }
                return new Disk(0, "", text(disk, 8), text(disk, 16), text(disk, 24), disk.getInt(36),
                        disk.getInt(52) != 0, disk.getInt(56) != 0);
            } finally {
                light.libxl_device_disk_dispose(disk);
            }
        }

        /** Parses a PCI_SPEC_STRING with {@code xlu_pci_parse_spec_string}. */
        Pci pci(String spec) {
            Memory pci = new Memory(256);
            pci.clear();
            light.libxl_device_pci_init(pci);
            try {
                int rc = xlu.xlu_pci_parse_spec_string(cfg, pci, spec);
                if (rc != 0) {
                    return new Pci(rc, -1, -1, -1, -1, false);
                }
                return new Pci(0, pci.getInt(4), pci.getByte(2) & 0xff, pci.getByte(1) & 0xff, pci.getByte(0) & 0xff,
                        pci.getByte(18) != 0);
            } finally {
                light.libxl_device_pci_dispose(pci);
            }
        }

        private void requireParsed() {
            if (status != 0) {
                throw new AssertionError("config did not parse: " + report());
            }
        }

        @Override
        public void close() {
            xlu.xlu_cfg_destroy(cfg);
            libc.fclose(report);
            libc.free(reportBuffer.getValue());
            java.lang.ref.Reference.reachabilityFence(reportSize);
        }
    }

    /**
     * Result of {@code xlu_disk_parse}.
     *
     * @param status        0, or the errno (EINVAL for a bad spec)
     * @param report        parser message when rejected
     * @param backendDomain backend_domname
     * @param target        pdev_path
     * @param vdev          vdev
     * @param format        libxl_disk_format (2 qcow2, 4 raw)
     * @param readWrite     readwrite
     * @param cdrom         is_cdrom
     */
    record Disk(int status, String report, String backendDomain, String target, String vdev, int format,
            boolean readWrite, boolean cdrom) {
        static final int QCOW2 = 2;
        static final int RAW = 4;
    }

    /** Result of {@code xlu_pci_parse_spec_string}. */
    record Pci(int status, int domain, int bus, int slot, int function, boolean permissive) {
    }

    /** Parses xl.cfg text; close the result. */
    Parsed parse(String fileName, String text) {
        PointerByReference buffer = new PointerByReference();
        NativeLongByReference size = new NativeLongByReference(new NativeLong(0));
        Pointer report = libc.open_memstream(buffer, size);
        Pointer cfg = xlu.xlu_cfg_init(report, fileName);
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        int status = xlu.xlu_cfg_readdata(cfg, data, data.length);
        return new Parsed(cfg, report, buffer, size, status);
    }

    private static String text(Pointer struct, long offset) {
        Pointer value = struct.getPointer(offset);
        return value == null ? null : value.getString(0, "UTF-8");
    }
}
