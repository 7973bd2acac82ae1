package io.bulkhead.hal.hyperv.internal;

/**
 * The error record a script failed with, as the result envelope reports it.
 *
 * @param message   the exception message (what PowerShell prints in red)
 * @param errorId   FullyQualifiedErrorId, e.g. {@code InvalidState,Microsoft.HyperV.PowerShell.Commands.StartVM}
 * @param category  ErrorCategory name, e.g. {@code InvalidOperation}, {@code ObjectNotFound}
 * @param command   cmdlet that raised it, empty if unknown
 * @param exception .NET type name of the exception
 */
record PowerShellError(String message, String errorId, String category, String command, String exception) {

    /** @return whether the script found no Bulkhead VM of the requested name */
    boolean vmNotFound() {
        return exception.endsWith("ItemNotFoundException") && message.startsWith("Bulkhead: no Hyper-V VM");
    }

    /** @return one line for an exception message: "Start-VM: message [errorId]" */
    String describe() {
        String where = command.isEmpty() ? "" : command + ": ";
        String id = errorId.isEmpty() || errorId.equals(message) ? "" : " [" + errorId + "]";
        return where + message + id;
    }
}
