package io.bulkhead.core.qrexec.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the qrexec daemon (PID {@code io.bulkhead.core.qrexec}). */
@ObjectClassDefinition(name = "Bulkhead qrexec daemon")
public @interface QrexecConfig {

    String PID = "io.bulkhead.core.qrexec";

    @AttributeDefinition(description = "User for commands and services requested as DEFAULT")
    String defaultUser() default "user";

    @AttributeDefinition(description = "Milliseconds a connecting agent may take to say hello")
    long helloTimeoutMillis() default 10_000;

    @AttributeDefinition(description = "Calls from one qube being routed or connected at once (Qubes: 256)")
    int maxPendingCalls() default 256;

    @AttributeDefinition(description = "Sustained service calls per second accepted from one qube")
    double callsPerSecond() default 200;

    @AttributeDefinition(description = "Service calls accepted at once from one qube before the rate applies")
    int callBurst() default 400;

    @AttributeDefinition(description = "A link whose writes stay blocked this long (qube not reading) is closed")
    long writeStallMillis() default 60_000;

    @AttributeDefinition(description = "Bytes buffered per stdout/stderr of a process started from dom0")
    int outputBufferBytes() default 1 << 20;

    @AttributeDefinition(description = "Per-stream receive window of the multiplexed link, bytes")
    int receiveWindowBytes() default 256 * 1024;

    @AttributeDefinition(description = "Concurrent data streams per qube link")
    int maxStreamsPerQube() default 256;

    @AttributeDefinition(description = "Seconds to wait for a target qube's agent when routing a call")
    int agentTimeoutSeconds() default 60;
}
