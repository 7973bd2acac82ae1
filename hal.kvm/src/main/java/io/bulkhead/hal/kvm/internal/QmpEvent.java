package io.bulkhead.hal.kvm.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * An asynchronous QMP event ({@code SHUTDOWN}, {@code STOP}, {@code RESUME}, {@code POWERDOWN},
 * {@code MIGRATION}, ...).
 *
 * @param name      event name
 * @param data      the event's {@code data} member, an empty object when absent
 * @param timestamp when QEMU emitted it
 */
record QmpEvent(String name, JsonNode data, Instant timestamp) {
}
