package io.flagledger.cli.gitops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.contract.diff.ConfigDiff;
import io.flagledger.contract.diff.RuleOrder;
import io.flagledger.contract.diff.SegmentDiff;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Files against live state, per flag and environment, with approval-service's diff ({@link ConfigDiff}): what an
 * approver will see for a change request is what {@code plan} printed for it.
 */
public final class Plan {

    public enum Kind { CREATE_FLAG, METADATA, ENVIRONMENT, SEGMENT, NOT_IN_GIT, UNSUPPORTED }

    /** How apply would make a change: straight to flag-api, through a change request, or not at all. */
    public enum Route { DIRECT, CHANGE_REQUEST, NONE }

    /**
     * One change. {@code environment} is null for a flag-wide one, {@code segment} set for a segment;
     * {@code rulesBefore}/{@code rulesAfter} are the evaluation order when rules or the fallthrough changed.
     */
    public record Change(Kind kind, String flag, String segment, String environment, Route route, long baseVersion,
                         JsonNode desired, List<ConfigDiff.Line> lines, List<RuleOrder.Step> rulesBefore,
                         List<RuleOrder.Step> rulesAfter, String note) {

        public String subject() {
            return (segment != null ? "segment " + segment : "flag " + flag) + (environment == null ? "" : " [" + environment + "]");
        }
    }

    private Plan() {
    }

    public static List<Change> between(FlagFiles.Project files, Live live) {
        List<Change> changes = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : files.flags().entrySet()) {
            String key = e.getKey();
            JsonNode file = e.getValue();
            JsonNode view = live.flags().get(key);
            if (view == null) {
                changes.add(new Change(Kind.CREATE_FLAG, key, null, null, Route.DIRECT, 0, file,
                        ConfigDiff.between(null, without(file, "environments")), List.of(), List.of(), "new flag"));
                continue;
            }
            ObjectNode liveDoc = FlagFiles.flagDocument(view);
            List<ConfigDiff.Line> meta = ConfigDiff.between(pick(liveDoc, FlagFiles.METADATA), pick(file, FlagFiles.METADATA));
            if (!meta.isEmpty()) {
                changes.add(new Change(Kind.METADATA, key, null, null, Route.DIRECT, view.path("metadataVersion").asLong(),
                        pick(file, FlagFiles.METADATA), meta, List.of(), List.of(), null));
            }
            List<ConfigDiff.Line> other = ConfigDiff.between(pick(liveDoc, List.of("kind", "type", "variations", "archived")),
                    pick(file, List.of("kind", "type", "variations", "archived")));
            if (!other.isEmpty()) {
                changes.add(new Change(Kind.UNSUPPORTED, key, null, null, Route.NONE, 0, null, other, List.of(), List.of(),
                        "kind, type, variations and archiving are not applied from files; change them in flag-api"));
            }
            for (JsonNode env : view.path("environments")) {
                String name = env.path("environment").asText();
                JsonNode wanted = file.path("environments").get(name);
                if (wanted == null) {
                    continue; // an environment the file does not mention is not managed from Git
                }
                JsonNode before = FlagFiles.configDocument(env.path("config"));
                JsonNode after = FlagFiles.configDocument(wanted);
                List<ConfigDiff.Line> lines = ConfigDiff.between(before, after);
                if (!lines.isEmpty()) {
                    boolean order = lines.stream().anyMatch(l -> l.path().startsWith("rules") || l.path().startsWith("fallthrough"));
                    changes.add(new Change(Kind.ENVIRONMENT, key, null, name,
                            env.path("protectedEnvironment").asBoolean() ? Route.CHANGE_REQUEST : Route.DIRECT,
                            env.path("version").asLong(), after, lines,
                            order ? RuleOrder.of(before) : List.of(), order ? RuleOrder.of(after) : List.of(), null));
                }
            }
            file.path("environments").fieldNames().forEachRemaining(name -> {
                if (view.path("environments").findValues("environment").stream().noneMatch(n -> n.asText().equals(name))) {
                    changes.add(new Change(Kind.UNSUPPORTED, key, null, name, Route.NONE, 0, null, List.of(), List.of(), List.of(),
                            "flag-api has no environment '" + name + "'"));
                }
            });
        }
        live.flags().keySet().stream().filter(k -> !files.flags().containsKey(k)).forEach(k ->
                changes.add(new Change(Kind.NOT_IN_GIT, k, null, null, Route.NONE, 0, null, List.of(), List.of(), List.of(),
                        "live but not in Git (apply never deletes; export it or archive it)")));
        for (Map.Entry<String, Map<String, JsonNode>> env : files.segments().entrySet()) {
            Map<String, JsonNode> liveSegments = live.segments().getOrDefault(env.getKey(), Map.of());
            for (Map.Entry<String, JsonNode> s : env.getValue().entrySet()) {
                JsonNode current = liveSegments.get(s.getKey());
                JsonNode before = current == null ? null : FlagFiles.segmentDocument(current.path("definition"));
                JsonNode after = FlagFiles.segmentDocument(s.getValue());
                List<ConfigDiff.Line> lines = SegmentDiff.between(before, after);
                if (!lines.isEmpty()) {
                    changes.add(new Change(Kind.SEGMENT, null, s.getKey(), env.getKey(),
                            live.protectedEnvironments().contains(env.getKey()) ? Route.CHANGE_REQUEST : Route.DIRECT,
                            current == null ? 0 : current.path("version").asLong(), after, lines, List.of(), List.of(),
                            current == null ? "new segment" : null));
                }
            }
        }
        live.segments().forEach((env, byKey) -> byKey.keySet().stream()
                .filter(k -> !files.segments().getOrDefault(env, Map.of()).containsKey(k))
                .forEach(k -> changes.add(new Change(Kind.NOT_IN_GIT, null, k, env, Route.NONE, 0, null, List.of(), List.of(),
                        List.of(), "live but not in Git"))));
        return changes;
    }

    static JsonNode pick(JsonNode doc, List<String> fields) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (String f : fields) {
            if (doc.hasNonNull(f)) {
                out.set(f, doc.get(f));
            }
        }
        return out;
    }

    private static JsonNode without(JsonNode doc, String field) {
        ObjectNode copy = doc.deepCopy();
        copy.remove(field);
        return copy;
    }
}
