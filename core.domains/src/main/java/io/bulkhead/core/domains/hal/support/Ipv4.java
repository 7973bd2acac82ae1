package io.bulkhead.core.domains.hal.support;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Dotted-quad IPv4 addresses as backends put them on guest command lines and device specs: four
 * decimal numbers 0-255 without leading zeros, nothing else (no spaces, commas or options that
 * could smuggle something in).
 */
public final class Ipv4 {
    private static final Pattern DOTTED_QUAD = Pattern.compile("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}");

    private Ipv4() {
    }

    /** @return the four bytes of {@code address}, or empty if it is not a dotted-quad IPv4 address */
    public static Optional<int[]> parse(String address) {
        if (address == null || !DOTTED_QUAD.matcher(address).matches()) {
            return Optional.empty();
        }
        String[] parts = address.split("\\.");
        int[] bytes = new int[4];
        for (int i = 0; i < 4; i++) {
            bytes[i] = Integer.parseInt(parts[i]);
            if (bytes[i] > 255) {
                return Optional.empty();
            }
        }
        return Optional.of(bytes);
    }

    /** @return whether {@code address} is a dotted-quad IPv4 address */
    public static boolean isValid(String address) {
        return parse(address).isPresent();
    }
}
