package io.bulkhead.core.policy;

import java.util.Objects;
import java.util.Set;

/**
 * What the policy engine knows about one qube: an immutable snapshot of the properties that
 * policy tokens and evaluation look at.
 *
 * @param name                qube name, e.g. {@code work}; dom0 is the qube named {@code dom0}
 * @param type                Qubes class: {@code AdminVM}, {@code AppVM}, {@code TemplateVM},
 *                            {@code StandaloneVM}, {@code DispVM}, {@code RemoteVM}, ...
 * @param tags                tags, matched by {@code @tag:T}
 * @param uuid                uuid without the {@code uuid:} prefix; {@code null} if unknown
 *                            (dom0's uuid is the all-zero uuid)
 * @param templateForDispvms  whether disposables may be created from this qube
 * @param defaultDispvm       name of the qube's default disposable template, {@code null} for none
 * @param powerState          Qubes power state ({@code Running}, {@code Halted}, ...); only
 *                            {@code Running} matters (for {@code autostart=no})
 * @param internal            internal qubes are never offered as {@code ask} candidates
 * @param relayVm             RemoteVM only: the qube relaying calls to it, else {@code null}
 * @param transportRpc        RemoteVM only: the relay's transport service, else {@code null}
 */
public record QubeInfo(String name, String type, Set<String> tags, String uuid,
        boolean templateForDispvms, String defaultDispvm, String powerState, boolean internal,
        String relayVm, String transportRpc) {

    /** The power state in which a qube counts as running. */
    public static final String RUNNING = "Running";

    public QubeInfo {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("qube name must not be empty");
        }
        type = type == null ? "" : type;
        tags = tags == null ? Set.of() : Set.copyOf(tags);
        powerState = powerState == null ? "" : powerState;
        if (uuid != null && uuid.startsWith("uuid:")) {
            uuid = uuid.substring("uuid:".length());
        }
    }

    /** A qube that is not a RemoteVM. */
    public QubeInfo(String name, String type, Set<String> tags, String uuid,
            boolean templateForDispvms, String defaultDispvm, String powerState, boolean internal) {
        this(name, type, tags, uuid, templateForDispvms, defaultDispvm, powerState, internal, null, null);
    }

    public boolean isRunning() {
        return RUNNING.equals(powerState);
    }
}
