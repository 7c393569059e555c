package io.flagledger.monitor.rules;

import io.flagledger.monitor.changes.FlagChange;
import java.time.Clock;
import java.util.Optional;

/**
 * A flag write attempted during an incident freeze: flag-api refused it (423) and put the refusal on
 * {@code flag.changes} as {@code access.denied} naming the freeze, or counted further ones in an
 * {@code access.denied.summary}. Nothing changed, so there is nothing to revert; people are told who tried what,
 * because during an incident that is either someone who did not get the message or someone working around it.
 * Alert only: {@link RuleSet} refuses mode {@code revert}.
 */
public final class FrozenWriteRule {

    public static final String NAME = "frozen-write";
    static final int LOCKED = 423;

    private final Clock clock;

    public FrozenWriteRule(Clock clock) {
        this.clock = clock;
    }

    /** Whether the event is a refusal or a freeze rather than a flag change: never part of a flag's history. */
    public static boolean isNotAChange(FlagChange event) {
        String action = event.action() == null ? "" : event.action();
        return action.startsWith("access.denied") || action.startsWith("freeze.");
    }

    public Optional<Detection> evaluate(FlagChange event) {
        if (event.scope() == null || event.scope().path("status").asInt() != LOCKED
                || !event.action().startsWith("access.denied")) {
            return Optional.empty();
        }
        String who = event.actorName() != null ? event.actorName() : event.actorId();
        String what = event.scope().path("method").asText("?") + " " + event.scope().path("endpoint").asText("?");
        var details = Detection.newDetails().put("endpoint", what);
        String summary;
        if (event.action().equals("access.denied.summary")) {
            long count = event.scope().path("count").asLong();
            details.put("count", count);
            summary = count + " more flag write(s) by " + who + " refused during an incident freeze (" + what + ")";
        } else {
            var freeze = event.scope().path("freeze");
            details.put("freeze_id", freeze.path("id").asText(null)).put("freeze_reason", freeze.path("reason").asText(null))
                    .put("freeze_set_by", freeze.path("set_by").asText(null));
            summary = "flag write by " + who + " refused during the freeze of " + event.project()
                    + (freeze.path("environment").isTextual() ? "/" + freeze.path("environment").asText() : "")
                    + " (" + freeze.path("reason").asText("") + "): " + what
                    + (event.scope().path("flag").isTextual() ? " on " + event.scope().path("flag").asText() : "");
        }
        return Optional.of(Detection.of(NAME, Severity.P2, event, summary, details, clock.instant()));
    }
}
