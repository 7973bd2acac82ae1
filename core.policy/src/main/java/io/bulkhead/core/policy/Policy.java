package io.bulkhead.core.policy;

import java.util.List;

/**
 * A loaded, immutable policy set: the ordered rule list of every policy file, or the errors that
 * made it invalid. An invalid policy denies every request, as Qubes does. Thread-safe.
 */
public interface Policy {

    /** Decides a request against the qubes of {@code system}. Never throws for bad input. */
    PolicyDecision evaluate(PolicyRequest request, SystemView system);

    /**
     * Follows up an {@link PolicyDecision.Result#ASK} decision with the user's answer.
     *
     * @param ask          the ask decision returned by {@link #evaluate}
     * @param chosenTarget the candidate the user picked, or {@code null} if the user refused
     * @return an allow decision (with its route) or a deny decision
     */
    PolicyDecision answerAsk(PolicyDecision ask, String chosenTarget, SystemView system);

    /** True when the policy loaded without error. */
    boolean isValid();

    /** Every load error, in file order (empty when valid). */
    List<PolicyError> errors();

    /** Number of rules in the loaded policy (0 when invalid). */
    int ruleCount();
}
