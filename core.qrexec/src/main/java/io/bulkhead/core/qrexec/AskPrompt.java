package io.bulkhead.core.qrexec;

import java.util.Optional;

/**
 * Answers {@code ask} policy decisions. The router uses the highest-ranked registered service;
 * core.qrexec's own one asks on dom0's console and denies when there is none (daemon mode).
 * Replace it by registering one with a higher {@code service.ranking} (a GUI, a test).
 */
@FunctionalInterface
public interface AskPrompt {

    /**
     * Asks the user; may block (the call waits).
     *
     * @return the chosen target (one of {@link AskRequest#targets()}), or empty to deny
     */
    Optional<String> ask(AskRequest request);
}
