package io.bulkhead.hal.xen.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Test fixture: how xl cuts a vif spec (xl_parse.c: {@code strtok(",")}, leading spaces
 * skipped, then {@code key=value} by prefix). xl's vif parser is part of the xl program, not of
 * a library, so it is restated here to check what libxlutil hands over.
 */
final class XlVifSplit {

    private XlVifSplit() {
    }

    /** @return key to value, in spec order; a piece without '=' maps to itself with a null value */
    static Map<String, String> split(String spec) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String token : spec.split(",")) {
            String piece = token.replaceFirst("^ +", "");
            if (piece.isEmpty()) {
                continue; // strtok skips empty tokens
            }
            int equals = piece.indexOf('=');
            if (pairs.put(equals < 0 ? piece : piece.substring(0, equals), equals < 0 ? null : piece.substring(equals + 1))
                    != null) {
                throw new AssertionError("vif key given twice in " + spec);
            }
        }
        return pairs;
    }
}
