package io.flagledger.approval.console;

import io.flagledger.common.actor.Actor;
import io.quarkus.qute.TemplateExtension;
import java.util.Set;

/** Small questions the console templates (and the console's own checks) ask, answered in Java. */
@TemplateExtension
public final class ConsoleExtensions {

    /**
     * The roles that make an account a Flagledger user. Scoped forms ({@code flag-editor:staging}) count as their
     * role. Any other account of the realm (the identity provider may serve many applications) reads nothing.
     */
    static final Set<String> READER_ROLES = Set.of("flag-viewer", "flag-editor", "flag-approver", "product-approver",
            "security-approver", "flag-admin", "audit-reader", "audit-exporter", "audit-admin");

    /** audit-service's roles for reading the ledger. */
    static final Set<String> LEDGER_ROLES = Set.of("audit-reader", "audit-admin");

    private ConsoleExtensions() {
    }

    /** Filing a change request is a flag editor's job (the API allows it to the same role). */
    static boolean mayFile(Actor actor) {
        return actor.roles().contains("flag-editor");
    }

    /** Whether the console shows this account change requests, diffs and timelines at all. */
    static boolean mayRead(Actor actor) {
        return !actor.isService() && actor.roles().stream().anyMatch(r -> READER_ROLES.contains(r.split(":", 2)[0]));
    }

    /** Whether the flag timeline may read the audit ledger on this person's behalf. */
    static boolean mayReadLedger(Actor actor) {
        return actor.roles().stream().anyMatch(LEDGER_ROLES::contains);
    }
}
