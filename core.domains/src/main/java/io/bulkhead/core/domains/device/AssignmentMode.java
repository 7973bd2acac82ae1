package io.bulkhead.core.domains.device;

import java.util.Arrays;
import java.util.Optional;

/** Persistent assignment modes (qubes.xml {@code mode=}). */
public enum AssignmentMode {
    /** Must be present to start the qube. */
    REQUIRED("required"),
    /** Attached automatically when the qube starts or the device appears. */
    AUTO_ATTACH("auto-attach"),
    /** Attach after asking the user. */
    ASK_TO_ATTACH("ask-to-attach");

    private final String qubesName;

    AssignmentMode(String qubesName) {
        this.qubesName = qubesName;
    }

    /** @return the qubes.xml / Admin API name */
    public String qubesName() {
        return qubesName;
    }

    /** @return the mode of that name, if any */
    public static Optional<AssignmentMode> fromQubesName(String name) {
        return Arrays.stream(values()).filter(m -> m.qubesName.equals(name)).findFirst();
    }
}
