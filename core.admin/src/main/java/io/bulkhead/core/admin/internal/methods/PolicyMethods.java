package io.bulkhead.core.admin.internal.methods;

import static io.bulkhead.core.admin.internal.methods.MethodSpec.Destination.ADMIN_VM;
import static io.bulkhead.core.admin.internal.methods.MethodSpec.Rule.NONE;
import static io.bulkhead.core.admin.internal.methods.MethodSpec.Rule.REQUIRED;

import io.bulkhead.core.admin.ProtocolError;
import io.bulkhead.core.domains.QubesException;
import io.bulkhead.core.policy.PolicyAdmin;
import io.bulkhead.core.policy.PolicyAdmin.Scope;
import io.bulkhead.core.policy.PolicyAdminException;
import io.bulkhead.core.policy.PolicyFile;
import io.bulkhead.core.policy.PolicyService;

/**
 * Qubes' policy administration services ({@code policy.*}, {@code policy.include.*}): Get answers
 * {@code TOKEN\nCONTENT}; Replace takes {@code TOKEN\nCONTENT}; Remove takes {@code TOKEN}.
 */
public final class PolicyMethods {
    private final PolicyService policy;

    public PolicyMethods(PolicyService policy) {
        this.policy = policy;
    }

    public void register(MethodTable table) {
        for (Scope scope : Scope.values()) {
            String prefix = scope == Scope.POLICY ? "policy." : "policy.include.";
            table.add(prefix + "List", NONE, NONE, ADMIN_VM, r -> PropertyMethods.lines(admin(a -> a.list(scope))));
            table.add(prefix + "Get", REQUIRED, NONE, ADMIN_VM, r -> {
                PolicyFile file = admin(a -> a.get(scope, r.argument()));
                return file.token() + "\n" + file.content();
            });
            table.add(prefix + "Replace", REQUIRED, REQUIRED, ADMIN_VM, r -> {
                String payload = r.payloadText();
                int newline = payload.indexOf('\n');
                if (newline < 0) {
                    throw new ProtocolError(r.method() + ": payload must be TOKEN, a newline, then the content");
                }
                admin(a -> {
                    a.replace(scope, r.argument(), payload.substring(0, newline), payload.substring(newline + 1));
                    return null;
                });
                return "";
            });
            table.add(prefix + "Remove", REQUIRED, REQUIRED, ADMIN_VM, r -> {
                admin(a -> {
                    a.remove(scope, r.argument(), r.payloadText().strip());
                    return null;
                });
                return "";
            });
        }
        table.add("policy.GetFiles", REQUIRED, NONE, ADMIN_VM, r -> PropertyMethods.lines(admin(a -> a.filesFor(r.argument()))));
    }

    private interface AdminCall<T> {
        T apply(PolicyAdmin admin) throws PolicyAdminException;
    }

    private <T> T admin(AdminCall<T> call) {
        try {
            return call.apply(policy.admin());
        } catch (PolicyAdminException e) {
            throw new PolicyAdminError(e);
        }
    }

    /** A refused policy change, on the wire as {@code PolicyAdminException} with the reason and message. */
    static final class PolicyAdminError extends QubesException {
        private static final long serialVersionUID = 1L;

        PolicyAdminError(PolicyAdminException cause) {
            super(cause.getMessage(), cause);
        }

        @Override
        public String qubesClass() {
            return "PolicyAdminException";
        }
    }

}
