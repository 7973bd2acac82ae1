package io.bulkhead.hal.hyperv.internal;

import java.io.File;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Facts about the machine dom0's JVM runs on that the backend depends on, replaceable in tests.
 *
 * @param osName        {@code os.name}
 * @param windows       whether it is Windows (hvsocket and .exe names)
 * @param searchPath    PATH
 * @param pathSeparator separator of PATH entries
 * @param systemRoot    %SystemRoot%, if set
 * @param winsock       loads Winsock through JNA (only called on Windows)
 */
record Platform(String osName, boolean windows, String searchPath, String pathSeparator, Optional<String> systemRoot,
        Supplier<Winsock> winsock) {

    static Platform current() {
        String os = System.getProperty("os.name", "unknown");
        return new Platform(os, os.toLowerCase(Locale.ROOT).startsWith("windows"),
                Optional.ofNullable(System.getenv("PATH")).orElse(""), File.pathSeparator,
                Optional.ofNullable(System.getenv("SystemRoot")), Winsock::load);
    }
}
