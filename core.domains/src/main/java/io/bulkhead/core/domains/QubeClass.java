package io.bulkhead.core.domains;

import java.util.Arrays;
import java.util.Optional;

/** The qube classes of Qubes R4 ({@code klass} property, {@code admin.vm.Create.<Class>}). */
public enum QubeClass {
    /** dom0, qid 0, always running. */
    ADMIN_VM("AdminVM"),
    /** A template: root persistent, provides root to AppVMs. */
    TEMPLATE_VM("TemplateVM"),
    /** Template-based qube; may be a disposable template ({@code template_for_dispvms}). */
    APP_VM("AppVM"),
    /** Self-contained qube with its own persistent root. */
    STANDALONE_VM("StandaloneVM"),
    /** Disposable based on an AppVM with {@code template_for_dispvms=True}. */
    DISP_VM("DispVM");

    private final String qubesName;

    QubeClass(String qubesName) {
        this.qubesName = qubesName;
    }

    /** @return the Qubes class name, e.g. {@code AppVM} */
    public String qubesName() {
        return qubesName;
    }

    /** @return whether qubes of this class have a {@code template} property */
    public boolean isTemplateBased() {
        return this == APP_VM || this == DISP_VM;
    }

    /** @return the class with that Qubes name (case-sensitive), if any */
    public static Optional<QubeClass> fromQubesName(String name) {
        return Arrays.stream(values()).filter(c -> c.qubesName.equals(name)).findFirst();
    }

    @Override
    public String toString() {
        return qubesName;
    }
}
