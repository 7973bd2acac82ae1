package io.bulkhead.core.qrexec;

/** The qube has no connected qrexec agent (halted, still booting, or its link was closed). */
public class AgentNotConnectedException extends QrexecException {
    private static final long serialVersionUID = 1L;
    private final String qube;

    public AgentNotConnectedException(String qube) {
        super("qube '" + qube + "' has no connected qrexec agent");
        this.qube = qube;
    }

    public String qube() {
        return qube;
    }
}
