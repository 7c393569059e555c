package io.flagledger.approval.console;

import io.flagledger.common.actor.Actor;
import io.quarkus.qute.TemplateExtension;

/** Small questions the console templates ask, answered in Java so the templates stay declarative. */
@TemplateExtension
public final class ConsoleExtensions {

    private ConsoleExtensions() {
    }

    /** Filing a change request is a flag editor's job (the API allows it to the same role). */
    static boolean mayFile(Actor actor) {
        return actor.roles().contains("flag-editor");
    }
}
