package io.bulkhead.core.domains.internal;

import io.bulkhead.core.domains.PowerState;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Power state and start time of each qube as tracked at runtime (not persisted). */
final class RuntimeStates {

    private final Map<String, PowerState> states = new ConcurrentHashMap<>();
    private final Map<String, Long> startTimes = new ConcurrentHashMap<>();

    PowerState get(String qube) {
        return states.getOrDefault(qube, PowerState.HALTED);
    }

    void set(String qube, PowerState state) {
        if (state == PowerState.HALTED) {
            states.remove(qube);
            startTimes.remove(qube);
        } else {
            states.put(qube, state);
        }
    }

    void started(String qube, long epochSeconds) {
        startTimes.put(qube, epochSeconds);
    }

    String startTime(String qube) {
        Long t = startTimes.get(qube);
        return t == null ? "" : Long.toString(t);
    }

    void forget(String qube) {
        states.remove(qube);
        startTimes.remove(qube);
    }
}
