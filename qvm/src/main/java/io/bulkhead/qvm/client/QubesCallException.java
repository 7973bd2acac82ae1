package io.bulkhead.qvm.client;

import java.util.Map;

/**
 * An error answered by qubesd ({@code 2\0Type\0traceback\0message\0}) or met while talking to it. {@link #qubesClass()}
 * is the Qubes exception class name ({@code QubesVMNotFoundError}, {@code ProtocolError}, ...); {@link #isA(String)}
 * follows Qubes' exception hierarchy so that callers can catch a family as qubesadmin does.
 */
public class QubesCallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** qubesd could not be reached, or answered something unreadable. */
    public static final String DAEMON_COMMUNICATION_ERROR = "QubesDaemonCommunicationError";
    /** qubesd answered nothing (it failed unexpectedly). */
    public static final String DAEMON_ACCESS_ERROR = "QubesDaemonAccessError";
    /** Root of the errors Qubes shows to users. */
    public static final String QUBES_EXCEPTION = "QubesException";

    /** Parent of each known class in qubesadmin.exc; unknown classes count as direct QubesException children. */
    private static final Map<String, String> PARENTS = Map.ofEntries(
            Map.entry("QubesVMNotFoundError", QUBES_EXCEPTION),
            Map.entry("QubesVMInvalidUUIDError", QUBES_EXCEPTION),
            Map.entry("QubesVMError", QUBES_EXCEPTION),
            Map.entry("QubesVMInUseError", "QubesVMError"),
            Map.entry("QubesVMNotStartedError", "QubesVMError"),
            Map.entry("QubesVMNotRunningError", "QubesVMNotStartedError"),
            Map.entry("QubesVMNotPausedError", "QubesVMNotStartedError"),
            Map.entry("QubesVMNotSuspendedError", "QubesVMError"),
            Map.entry("QubesVMNotHaltedError", "QubesVMError"),
            Map.entry("QubesVMShutdownTimeoutError", "QubesVMError"),
            Map.entry("QubesNoTemplateError", "QubesVMError"),
            Map.entry("QubesVMAlreadyStartedError", "QubesVMError"),
            Map.entry("QubesMemoryError", "QubesVMError"),
            Map.entry("QubesPoolInUseError", QUBES_EXCEPTION),
            Map.entry("QubesValueError", QUBES_EXCEPTION),
            Map.entry("QubesPropertyValueError", "QubesValueError"),
            Map.entry("QubesNoSuchPropertyError", QUBES_EXCEPTION),
            Map.entry("QubesNotImplementedError", QUBES_EXCEPTION),
            Map.entry("QubesFeatureNotFoundError", QUBES_EXCEPTION),
            Map.entry("QubesTagNotFoundError", QUBES_EXCEPTION),
            Map.entry("QubesLabelNotFoundError", QUBES_EXCEPTION),
            Map.entry("StoragePoolException", QUBES_EXCEPTION),
            Map.entry(DAEMON_COMMUNICATION_ERROR, QUBES_EXCEPTION),
            Map.entry(DAEMON_ACCESS_ERROR, DAEMON_COMMUNICATION_ERROR),
            Map.entry("QubesPropertyAccessError", DAEMON_ACCESS_ERROR),
            // not QubesException subclasses in Qubes: protocol misuse and deliberate refusal
            Map.entry("ProtocolError", ""),
            Map.entry("PermissionDenied", ""));

    private final String qubesClass;

    /**
     * @param qubesClass Qubes exception class name
     * @param message    message as qubesd formatted it
     */
    public QubesCallException(String qubesClass, String message) {
        super(message);
        this.qubesClass = qubesClass == null || qubesClass.isEmpty() ? QUBES_EXCEPTION : qubesClass;
    }

    /** @return the Qubes exception class name */
    public String qubesClass() {
        return qubesClass;
    }

    /**
     * @param ancestor a Qubes exception class name
     * @return whether this error is of that class or one of its subclasses in Qubes' hierarchy
     */
    public boolean isA(String ancestor) {
        String current = qubesClass;
        while (current != null && !current.isEmpty()) {
            if (current.equals(ancestor)) {
                return true;
            }
            current = PARENTS.getOrDefault(current, QUBES_EXCEPTION.equals(current) ? null : QUBES_EXCEPTION);
        }
        return false;
    }

    /** @return whether Qubes would show this error to users as a QubesException (not a protocol misuse or refusal) */
    public boolean isQubesException() {
        return isA(QUBES_EXCEPTION);
    }
}
