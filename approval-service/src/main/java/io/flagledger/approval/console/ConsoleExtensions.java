package io.flagledger.approval.console;

import io.flagledger.approval.policy.Roles;
import io.flagledger.common.actor.Actor;
import io.flagledger.common.roles.ScopedRoles;
import io.quarkus.qute.TemplateExtension;
import java.util.Set;

/** Small questions the console templates (and the console's own checks) ask, answered in Java. */
@TemplateExtension
public final class ConsoleExtensions {

    /** The roles that make an account a Flagledger user: those that read change requests (unscoped or scoped). */
    static final Set<String> READER_ROLES = Roles.READERS;

    /** audit-service's roles for reading the ledger. */
    static final Set<String> LEDGER_ROLES = Set.of("audit-reader", "audit-admin");

    private ConsoleExtensions() {
    }

    /** Filing a change request is a flag editor's job, in some project (the API allows it to the same role). */
    static boolean mayFile(Actor actor) {
        return ScopedRoles.of(actor.roles()).hasAnywhere(Roles.EDITORS);
    }

    /** Whether the console shows this account change requests, diffs and timelines at all. */
    static boolean mayRead(Actor actor) {
        return !actor.isService() && ScopedRoles.of(actor.roles()).hasAnywhere(READER_ROLES);
    }

    /** Whether the flag timeline may read the audit ledger on this person's behalf. */
    static boolean mayReadLedger(Actor actor) {
        return ScopedRoles.of(actor.roles()).hasAnywhere(LEDGER_ROLES);
    }
}
