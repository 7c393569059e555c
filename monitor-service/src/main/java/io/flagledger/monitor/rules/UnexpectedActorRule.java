package io.flagledger.monitor.rules;

import io.flagledger.contract.ActorType;
import io.flagledger.contract.Channel;
import io.flagledger.monitor.changes.ChangeHistory;
import io.flagledger.monitor.changes.FlagChange;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Rule 4: a service identity changing flags through the console or outside its allowed flags, a service identity
 * changing a protected environment without an approval or revert scope (a service account acting as a person:
 * approval-service applies only what approvers approved, the monitor only reverts), or a person changing flags
 * through the automation channel. The channel is the one flag-api derived from the caller's token, not a header. Allowed flags are patterns {@code project/flag} where either part
 * may be {@code *}, per service (matched by actor name, e.g. {@code service-account-ci-bot}, or actor id); a service
 * with no entry may change no flag.
 */
public final class UnexpectedActorRule implements ChangeRule {

    public static final String NAME = "unexpected-actor";

    private final Clock clock;
    private final Map<String, List<String>> allowedFlags;
    private final Set<String> protectedEnvironments;

    public UnexpectedActorRule(Clock clock, Map<String, List<String>> allowedFlags, Set<String> protectedEnvironments) {
        this.clock = clock;
        this.allowedFlags = Map.copyOf(allowedFlags);
        this.protectedEnvironments = Set.copyOf(protectedEnvironments);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<Detection> evaluate(FlagChange change, ChangeHistory history) {
        String why = null;
        if (change.actorType() == ActorType.SERVICE && change.channel() == Channel.CONSOLE) {
            why = "service identity " + actor(change) + " changed " + change.key() + " through the console";
        } else if (change.serviceWithoutMandate() && change.touches(protectedEnvironments)) {
            why = "service identity " + actor(change) + " changed protected " + change.key()
                    + " without an approval or revert scope: a service account acting as a person";
        } else if (change.actorType() == ActorType.SERVICE && !allowed(change)) {
            why = "service identity " + actor(change) + " changed " + change.key() + ", outside its allowed flags";
        } else if (change.actorType() == ActorType.USER && change.channel() == Channel.AUTOMATION) {
            why = "user " + actor(change) + " changed " + change.key() + " through the automation channel";
        }
        return Optional.ofNullable(why).map(reason -> Detection.of(NAME, Severity.P2, change, reason,
                Detection.newDetails().put("actor_type", change.actorType().name().toLowerCase())
                        .put("channel", change.channel() == null ? null : change.channel().name().toLowerCase()),
                clock.instant()));
    }

    private boolean allowed(FlagChange change) {
        List<String> patterns = allowedFlags.getOrDefault(change.actorName() == null ? "" : change.actorName(),
                allowedFlags.getOrDefault(change.actorId(), List.of()));
        return patterns.stream().anyMatch(p -> matches(p, change.project(), change.flag()));
    }

    private static boolean matches(String pattern, String project, String flag) {
        if (pattern.equals("*")) {
            return true;
        }
        int slash = pattern.indexOf('/');
        if (slash < 0) {
            return false;
        }
        String p = pattern.substring(0, slash);
        String f = pattern.substring(slash + 1);
        return (p.equals("*") || p.equals(project)) && (f.equals("*") || f.equals(flag));
    }

    private static String actor(FlagChange change) {
        return change.actorName() != null ? change.actorName() : change.actorId();
    }
}
