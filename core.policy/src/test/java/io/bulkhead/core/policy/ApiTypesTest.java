package io.bulkhead.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The small value types of the exported API. */
class ApiTypesTest {
    private static final QubeInfo WORK = new QubeInfo("work", "AppVM", Set.of("t"), "uuid:1234", false, null,
            "Running", false);

    @Test
    void qubeInfoNormalises() {
        assertEquals("1234", WORK.uuid(), "a uuid: prefix is dropped");
        assertTrue(WORK.isRunning());
        QubeInfo bare = new QubeInfo("x", null, null, null, false, null, null, false);
        assertEquals("", bare.type());
        assertEquals(Set.of(), bare.tags());
        assertFalse(bare.isRunning());
        assertThrows(IllegalArgumentException.class, () -> new QubeInfo("", "AppVM", Set.of(), null, false, null, null,
                false));
    }

    @Test
    void indexedSystemView() {
        SystemView view = SystemView.of(List.of(WORK));
        assertEquals(Optional.of(WORK), view.byName("work"));
        assertEquals(Optional.of(WORK), view.byUuid("1234"));
        assertEquals(Optional.empty(), view.byName("1234"));
        assertThrows(IllegalArgumentException.class, () -> SystemView.of(List.of(WORK, WORK)));
    }

    @Test
    void defaultLookupsOfACustomView() {
        SystemView view = new SystemView() {
            @Override
            public Collection<QubeInfo> qubes() {
                return List.of(WORK);
            }
        };
        assertEquals(Optional.of(WORK), view.byName("work"));
        assertEquals(Optional.of(WORK), view.byUuid("1234"));
        assertEquals(Optional.empty(), view.byUuid("9"));
    }

    @Test
    void decisionInvariants() {
        PolicyRequest request = PolicyRequest.of("s", "work", "vault");
        assertThrows(IllegalArgumentException.class, () -> PolicyDecision.builder(PolicyDecision.Result.ALLOW, request)
                .build());
        assertThrows(IllegalArgumentException.class, () -> PolicyDecision.builder(PolicyDecision.Result.ASK, request)
                .build());
        CallRoute route = new CallRoute(null, "vault", "uuid:1", true, "vault", null, null);
        assertThrows(IllegalArgumentException.class, () -> PolicyDecision.builder(PolicyDecision.Result.DENY, request)
                .route(route).build());
        PolicyDecision deny = PolicyDecision.builder(PolicyDecision.Result.DENY, request).build();
        assertEquals(Optional.of("result=deny"), deny.daemonResponse());
        assertFalse(deny.permitsCall());
        PolicyDecision allow = PolicyDecision.builder(PolicyDecision.Result.ALLOW, request).target("vault")
                .route(route).build();
        assertTrue(allow.permitsCall());
        assertEquals("user=DEFAULT\nresult=allow\ntarget=vault\ntarget_uuid=uuid:1\nautostart=True\n"
                + "requested_target=vault", allow.daemonResponse().orElseThrow());
    }

    @Test
    void errorFormatting() {
        assertEquals("f:3: bad", new PolicyError(PolicyError.Kind.PARSE, "f", 3, "bad").toString());
        assertEquals("f: bad", new PolicyError(PolicyError.Kind.PARSE, "f", 0, "bad").toString());
        assertEquals("bad", new PolicyError(PolicyError.Kind.REQUEST, null, 0, "bad").toString());
        assertEquals("f:2", new RuleLocation("f", 2).toString());
    }
}
