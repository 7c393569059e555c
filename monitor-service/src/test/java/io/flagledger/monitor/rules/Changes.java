package io.flagledger.monitor.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.Channel;
import io.flagledger.monitor.changes.ChangeHistory;
import io.flagledger.monitor.changes.FlagChange;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Builds flag change sequences for the table-driven rule tests, and runs a rule over one. */
final class Changes {

    /** A Wednesday, 11:00 in Amsterdam: inside business hours. */
    static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    private Changes() {
    }

    static ObjectNode state(boolean enabled, long version) {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("enabled", enabled);
        s.put("offVariation", "off");
        s.putArray("targets");
        s.putArray("rules");
        s.putObject("fallthrough").put("variation", "on");
        s.put("version", version);
        return s;
    }

    /** Enabled, the fallthrough rolled out to {@code percentOn}% "on". */
    static ObjectNode rollout(double percentOn, long version) {
        ObjectNode s = state(true, version);
        ObjectNode rollout = JsonNodeFactory.instance.objectNode();
        var variations = rollout.putArray("variations");
        int on = (int) Math.round(percentOn * 1000);
        variations.addObject().put("variation", "on").put("weight", on);
        variations.addObject().put("variation", "off").put("weight", 100_000 - on);
        s.putObject("fallthrough").set("rollout", rollout);
        return s;
    }

    /** Enabled, with one rule serving "on" to {@code clauses} (empty: everyone) and the fallthrough "off". */
    static ObjectNode withRule(int clauses, long version) {
        ObjectNode s = state(true, version);
        s.putObject("fallthrough").put("variation", "off");
        ObjectNode rule = s.putArray("rules").addObject();
        rule.put("id", "beta");
        var list = rule.putArray("clauses");
        for (int i = 0; i < clauses; i++) {
            list.addObject().put("attribute", "country").put("operator", "in").putArray("values").add("NL");
        }
        rule.putObject("serve").put("variation", "on");
        return s;
    }

    static Builder change(String id) {
        return new Builder(id);
    }

    /** Feeds the sequence to {@code rule} in order (clock at each change's time) and returns the ids it fired on. */
    static List<String> run(ChangeRule rule, TestClock clock, List<FlagChange> sequence) {
        ChangeHistory history = new ChangeHistory(clock, Duration.ofHours(2));
        List<String> fired = new ArrayList<>();
        for (FlagChange change : sequence) {
            clock.set(change.timestamp());
            history.record(change);
            rule.evaluate(change, history).ifPresent(d -> fired.add(d.subject()));
        }
        return fired;
    }

    static final class Builder {
        private final String id;
        private Instant at = T0;
        private String action = "flag.environment.updated";
        private String environment = "production";
        private String flag = "new-checkout";
        private String actorId = "u-1";
        private String actorName = "requester";
        private ActorType actorType = ActorType.USER;
        private List<String> roles = List.of("flag-editor");
        private Channel channel = Channel.API;
        private JsonNode before = state(false, 1);
        private JsonNode after = state(true, 2);
        private ObjectNode scope = JsonNodeFactory.instance.objectNode();

        private Builder(String id) {
            this.id = id;
        }

        Builder at(Duration sinceT0) {
            at = T0.plus(sinceT0);
            return this;
        }

        Builder at(Instant instant) {
            at = instant;
            return this;
        }

        Builder action(String a) {
            action = a;
            return this;
        }

        Builder env(String e) {
            environment = e;
            return this;
        }

        Builder flag(String f) {
            flag = f;
            return this;
        }

        Builder user(String name, String... roleNames) {
            actorType = ActorType.USER;
            actorName = name;
            actorId = "sub-" + name;
            roles = List.of(roleNames);
            return this;
        }

        Builder service(String name) {
            actorType = ActorType.SERVICE;
            actorName = name;
            actorId = "sub-" + name;
            roles = List.of("automation");
            return this;
        }

        Builder roles(String... roleNames) {
            roles = List.of(roleNames);
            return this;
        }

        Builder channel(Channel c) {
            channel = c;
            return this;
        }

        Builder states(JsonNode b, JsonNode a) {
            before = b;
            after = a;
            return this;
        }

        Builder scope(String field, Object value) {
            if (value instanceof Boolean b) {
                scope.put(field, b);
            } else {
                scope.put(field, value.toString());
            }
            return this;
        }

        /** Applied under change request {@code cr}, approved by {@code approvers}, under a policy with {@code window} (or none). */
        Builder approved(String cr, String window, String... approvers) {
            ObjectNode approval = scope.putObject("approval").put("change_request_id", cr);
            if (window != null) {
                approval.put("apply_window", window);
            }
            for (String a : approvers) {
                approval.withArray("approvers").add(a);
            }
            return this;
        }

        /** A flag-wide change (archive, restore, metadata): no environment of its own, the ones it affects in scope. */
        Builder flagWide(String action, String... environments) {
            this.action = action;
            this.environment = null;
            var names = scope.putArray("environments");
            for (String e : environments) {
                names.add(e);
            }
            return this;
        }

        Builder approval(String changeRequestId) {
            scope.putObject("approval").put("change_request_id", changeRequestId);
            return this;
        }

        FlagChange build() {
            return new FlagChange(id, "corr-" + id, at, action, "shop", flag, environment, actorId, actorType, actorName,
                    roles, channel, before, after, scope, "test");
        }
    }
}
