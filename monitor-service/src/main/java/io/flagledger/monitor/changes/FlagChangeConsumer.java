package io.flagledger.monitor.changes;

import io.flagledger.contract.AuditEvent;
import io.flagledger.monitor.actions.Actions;
import io.flagledger.monitor.detectors.StatisticalDetectors;
import io.flagledger.monitor.rules.ChangeRule;
import io.flagledger.monitor.rules.FrozenWriteRule;
import io.flagledger.monitor.rules.RuleSet;
import io.flagledger.monitor.stale.FlagStates;
import io.flagledger.contract.verify.EventGate;
import io.flagledger.monitor.verify.RejectedEvents;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Judges every flag change as it arrives. Ordered per partition, so one flag's changes are seen in the order
 * flag-api committed them; the offset is committed after the rules ran and their actions were recorded. Only
 * events the {@link EventGate} admits (flag-api's signature, verified) reach the rules; a refused record is
 * reported and acknowledged. The change is written to the history's table ({@code flag_change}) before the rules
 * run, so the history the rules look back on survives a restart even though the offset is then committed. A
 * redelivered event is recorded once in the history (memory and table, by event id) and a rule's detection of it is
 * stored once ({@code detection (rule, suspect)}), so it is never acted upon twice; that is also why a transient
 * failure (database down) can simply run the whole change again. A change that fails deterministically (e.g. a
 * value PostgreSQL refuses) is parked in {@code rejected_event} and the consumer moves on: one record never stops it.
 */
@ApplicationScoped
public class FlagChangeConsumer {

    @Inject
    ChangeHistory history;

    @Inject
    RuleSet rules;

    @Inject
    Actions actions;

    @Inject
    StatisticalDetectors detectors;

    @Inject
    FlagStates states;

    @Inject
    EventGate gate;

    @Inject
    RejectedEvents rejected;

    @Incoming("flag-changes")
    @Blocking
    public void onRecord(ConsumerRecord<String, String> record) {
        AuditEvent event = rejected.admit(gate, record);
        if (event != null) {
            rejected.handle(record, event, () -> onChange(FlagChange.of(event)));
        }
    }

    /** A verified change. */
    void onChange(FlagChange change) {
        if (FrozenWriteRule.isNotAChange(change)) {
            // a write flag-api refused, or a freeze set or lifted: judged by the freeze rule only, no flag's history
            rules.frozenWrite().flatMap(rule -> rule.evaluate(change)).ifPresent(actions::handle);
            return;
        }
        history.record(change);
        states.record(change);
        for (ChangeRule rule : rules.changeRules()) {
            rule.evaluate(change, history).ifPresent(actions::handle);
        }
        detectors.observe(change).forEach(actions::handle);
    }
}
