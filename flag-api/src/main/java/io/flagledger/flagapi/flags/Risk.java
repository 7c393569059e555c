package io.flagledger.flagapi.flags;

import java.util.List;

/**
 * A flag's risk, lowest first. approval-service chooses a change's policy by it (high-risk flags need more), so
 * lowering it weakens the approval every later change needs and must itself be approved; raising it does not.
 */
final class Risk {

    static final List<String> ORDER = List.of("low", "high");

    private Risk() {
    }

    /** Whether changing the risk from {@code current} to {@code proposed} (null: unchanged) lowers it. */
    static boolean weakens(String current, String proposed) {
        int now = ORDER.indexOf(current);
        // a risk this code does not know counts as the highest: lowering it from there is a weakening
        return proposed != null && ORDER.indexOf(proposed) < (now < 0 ? ORDER.size() : now);
    }
}
