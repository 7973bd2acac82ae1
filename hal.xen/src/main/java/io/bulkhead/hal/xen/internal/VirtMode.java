package io.bulkhead.hal.xen.internal;

import io.bulkhead.core.domains.hal.DomainSpec;
import java.util.Locale;

/** Xen's guest types, named as in xl.cfg {@code type=} and Qubes' {@code virt_mode} property. */
enum VirtMode {
    /** Paravirtualised, no device model (Qubes' default for Linux qubes). */
    PVH,
    /** Hardware virtualised with a device model (Qubes: qubes with PCI devices, other OSes). */
    HVM,
    /** Classic paravirtualised (deprecated in Qubes). */
    PV;

    /** Qubes property carrying the mode, passed in {@link DomainSpec#options()}. */
    static final String OPTION = "virt_mode";

    /** @return the xl.cfg {@code type=} value */
    String xlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return the mode named {@code text} ({@code pvh}, {@code hvm}, {@code pv}, any case) */
    static VirtMode parse(String what, String text) {
        for (VirtMode mode : values()) {
            if (mode.xlName().equalsIgnoreCase(text)) {
                return mode;
            }
        }
        throw new IllegalArgumentException(what + " must be pvh, hvm or pv, not '" + XenNames.printable(text) + "'");
    }

    /** @return the spec's {@code virt_mode}, or {@code fallback} when it is absent or empty */
    static VirtMode of(DomainSpec spec, VirtMode fallback) {
        String given = spec.options().getOrDefault(OPTION, "");
        return given.isBlank() ? fallback : parse("virt_mode of domain " + spec.name(), given.strip());
    }
}
