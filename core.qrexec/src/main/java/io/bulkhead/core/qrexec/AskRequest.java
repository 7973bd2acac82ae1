package io.bulkhead.core.qrexec;

import java.util.List;

/**
 * An {@code ask} to put to the user.
 *
 * @param source        calling qube
 * @param service       service name
 * @param argument      argument with its {@code +} ({@code +} for none), as Qubes' policy.Ask
 * @param targets       candidate targets, in display order
 * @param defaultTarget preselected candidate, {@code ""} for none
 */
public record AskRequest(String source, String service, String argument, List<String> targets, String defaultTarget) {
    public AskRequest {
        targets = List.copyOf(targets);
        defaultTarget = defaultTarget == null ? "" : defaultTarget;
    }
}
