package io.flagledger.monitor.rules;

import io.flagledger.common.protection.Protection;
import io.flagledger.monitor.approvals.ApprovalStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The rules built from configuration, and the mode each runs in; a rule in mode {@code off} is not built at all. */
@ApplicationScoped
public class RuleSet {

    private final Map<String, RuleMode> modes = new HashMap<>();
    private final List<ChangeRule> changeRules = new ArrayList<>();
    private final ErrorSpikeRule errorSpike;
    private final UnapprovedChangeRule unapproved;
    private final StaleFlagRule stale;
    private final FrozenWriteRule frozenWrite;

    @Inject
    public RuleSet(MonitorConfig config, Protection protection, Clock clock, ApprovalStore approvals) {
        MonitorConfig.Rules r = config.rules();
        if (on(RapidTogglingRule.NAME, r.rapidToggling().mode())) {
            changeRules.add(new RapidTogglingRule(clock, r.rapidToggling().maxChanges(), r.rapidToggling().window()));
        }
        if (on(MassRolloutRule.NAME, r.massRollout().mode())) {
            changeRules.add(new MassRolloutRule(clock, r.massRollout().maxRisePoints(), r.massRollout().window()));
        }
        if (on(AfterHoursRule.NAME, r.afterHours().mode())) {
            MonitorConfig.AfterHours h = r.afterHours();
            BusinessHours hours = new BusinessHours(ZoneId.of(h.timeZone()), LocalTime.parse(h.start()), LocalTime.parse(h.end()),
                    h.weekdays(), h.holidays().orElse(List.of()).stream().map(LocalDate::parse).collect(java.util.stream.Collectors.toSet()));
            changeRules.add(new AfterHoursRule(clock, hours, protection.protectedEnvironments(), h.exemptRoles()));
        }
        if (on(UnexpectedActorRule.NAME, r.unexpectedActor().mode())) {
            Map<String, List<String>> allowed = new HashMap<>();
            r.unexpectedActor().allowedFlags().forEach((actor, patterns) ->
                    allowed.put(actor, Arrays.stream(patterns.split(",")).map(String::trim).filter(p -> !p.isEmpty()).toList()));
            changeRules.add(new UnexpectedActorRule(clock, allowed, protection.protectedEnvironments()));
        }
        unapproved = on(UnapprovedChangeRule.NAME, r.unapprovedChange().mode())
                ? new UnapprovedChangeRule(clock, protection.protectedEnvironments(), r.unapprovedChange().grace(), approvals::approved)
                : null;
        if (unapproved != null) {
            changeRules.add(unapproved);
        }
        MonitorConfig.ErrorSpike e = r.errorSpike();
        errorSpike = on(ErrorSpikeRule.NAME, e.mode())
                ? new ErrorSpikeRule(clock, e.absoluteThreshold(), e.baselineFactor(), e.minBaseline(), e.window())
                : null;
        if (r.frozenWrite().mode() == RuleMode.REVERT) {
            // a refused write changed nothing: there is nothing to revert
            throw new IllegalStateException("flagledger.monitor.rules.frozen-write.mode must be off or alert, not revert");
        }
        frozenWrite = on(FrozenWriteRule.NAME, r.frozenWrite().mode()) ? new FrozenWriteRule(clock) : null;
        stale = on(StaleFlagRule.NAME, r.staleFlags().mode())
                ? new StaleFlagRule(clock, r.staleFlags().fullyRolledOutAfter(), r.staleFlags().escalateAfter())
                : null;
    }

    private boolean on(String rule, RuleMode mode) {
        modes.put(rule, mode);
        return mode != RuleMode.OFF;
    }

    public RuleMode mode(String rule) {
        return modes.getOrDefault(rule, RuleMode.OFF);
    }

    public List<ChangeRule> changeRules() {
        return changeRules;
    }

    public Optional<ErrorSpikeRule> errorSpike() {
        return Optional.ofNullable(errorSpike);
    }

    public Optional<UnapprovedChangeRule> unapproved() {
        return Optional.ofNullable(unapproved);
    }

    public Optional<FrozenWriteRule> frozenWrite() {
        return Optional.ofNullable(frozenWrite);
    }

    public Optional<StaleFlagRule> stale() {
        return Optional.ofNullable(stale);
    }
}
