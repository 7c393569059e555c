package io.flagledger.flagapi.flags;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.flagapi.evaluation.FlagModel.EnvironmentConfig;
import io.flagledger.flagapi.evaluation.FlagModel.Rule;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The audit event's {@code scope}: which parts of an environment configuration a change touched, and the
 * rollouts before and after where percentages moved — what a reviewer or an anomaly rule looks at first.
 */
final class ConfigDiff {

    private ConfigDiff() {
    }

    static ObjectNode scope(EnvironmentConfig before, EnvironmentConfig after) {
        ObjectNode scope = JsonNodeFactory.instance.objectNode();
        ArrayNode changed = scope.putArray("changed");
        if (before.enabled() != after.enabled()) {
            changed.add("enabled");
        }
        if (!Objects.equals(before.offVariation(), after.offVariation())) {
            changed.add("offVariation");
        }
        if (!before.targets().equals(after.targets())) {
            changed.add("targets");
        }
        if (!Objects.equals(before.fallthrough(), after.fallthrough())) {
            changed.add("fallthrough");
            ObjectNode rollout = scope.putObject("fallthrough");
            rollout.set("before", FlagCodec.tree(before.fallthrough()));
            rollout.set("after", FlagCodec.tree(after.fallthrough()));
        }
        Map<String, Rule> old = byId(before);
        Map<String, Rule> now = byId(after);
        ArrayNode added = JsonNodeFactory.instance.arrayNode();
        ArrayNode removed = JsonNodeFactory.instance.arrayNode();
        ArrayNode modified = JsonNodeFactory.instance.arrayNode();
        now.keySet().stream().filter(id -> !old.containsKey(id)).sorted().forEach(added::add);
        old.keySet().stream().filter(id -> !now.containsKey(id)).sorted().forEach(removed::add);
        now.keySet().stream().filter(id -> old.containsKey(id) && !old.get(id).equals(now.get(id))).sorted().forEach(modified::add);
        boolean reordered = added.isEmpty() && removed.isEmpty()
                && !before.rules().stream().map(Rule::id).toList().equals(after.rules().stream().map(Rule::id).toList());
        if (!added.isEmpty() || !removed.isEmpty() || !modified.isEmpty() || reordered) {
            changed.add("rules");
            ObjectNode rules = scope.putObject("rules");
            rules.set("added", added);
            rules.set("removed", removed);
            rules.set("modified", modified);
            rules.put("reordered", reordered);
        }
        return scope;
    }

    private static Map<String, Rule> byId(EnvironmentConfig config) {
        return config.rules().stream().collect(Collectors.toMap(Rule::id, Function.identity(), (a, b) -> a));
    }

    static JsonNode state(EnvironmentConfig config, long version) {
        ObjectNode state = (ObjectNode) FlagCodec.tree(config);
        state.put("version", version);
        return state;
    }
}
