package io.flagledger.monitor.changes;

import io.flagledger.contract.EventJson;
import io.flagledger.monitor.actions.Actions;
import io.flagledger.monitor.rules.ChangeRule;
import io.flagledger.monitor.rules.RuleSet;
import io.flagledger.monitor.stale.FlagStates;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Judges every flag change as it arrives. Ordered per partition, so one flag's changes are seen in the order
 * flag-api committed them; the offset is committed after the rules ran and their actions were recorded.
 */
@ApplicationScoped
public class FlagChangeConsumer {

    private static final Logger LOG = Logger.getLogger(FlagChangeConsumer.class);

    @Inject
    ChangeHistory history;

    @Inject
    RuleSet rules;

    @Inject
    Actions actions;

    @Inject
    FlagStates states;

    @Incoming("flag-changes")
    @Blocking
    public void onChange(String json) {
        FlagChange change;
        try {
            change = FlagChange.of(EventJson.parse(json));
        } catch (RuntimeException e) {
            LOG.warnf("Ignoring a flag.changes record that is not an audit event: %s", e.getMessage());
            return;
        }
        history.record(change);
        states.record(change);
        for (ChangeRule rule : rules.changeRules()) {
            rule.evaluate(change, history).ifPresent(actions::handle);
        }
    }
}
