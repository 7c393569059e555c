package io.flagledger.approval.console;

import io.flagledger.approval.policy.Roles;
import io.flagledger.common.actor.Actor;
import io.flagledger.common.roles.ScopedRoles;
import io.quarkus.qute.TemplateExtension;

/** Small questions the console templates ask, answered in Java so the templates stay declarative. */
@TemplateExtension
public final class ConsoleExtensions {

    private ConsoleExtensions() {
    }

    /** Filing a change request is a flag editor's job, in some project (the API allows it to the same role). */
    static boolean mayFile(Actor actor) {
        return ScopedRoles.of(actor.roles()).hasAnywhere(Roles.EDITORS);
    }
}
