package io.bulkhead.core.qrexec.internal.vchan;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * One qube whose agent is an unmodified Qubes qrexec-agent over libvchan-socket (factory PID
 * {@code io.bulkhead.core.qrexec.vchansocket}, one configuration per qube, for example
 * {@code io.bulkhead.core.qrexec.vchansocket-work.cfg}).
 */
@ObjectClassDefinition(name = "Bulkhead qrexec: qube with a Qubes agent over libvchan-socket")
public @interface VchanSocketQubeConfig {

    String FACTORY_PID = "io.bulkhead.core.qrexec.vchansocket";

    @AttributeDefinition(description = "Name of the qube")
    String qube();

    @AttributeDefinition(description = "Domain id of the qube: the VCHAN_DOMAIN its agent runs with (1..32751)")
    int domainId();

    @AttributeDefinition(description = "Socket directory: the VCHAN_SOCKET_DIR its agent runs with; "
            + "should be writable only by that qube and dom0")
    String directory() default "/var/run/vchan";
}
