package io.flagledger.flagapi.evaluation;

import io.flagledger.flagapi.evaluation.FlagModel.EnvironmentConfig;
import io.flagledger.flagapi.evaluation.FlagModel.FlagDefinition;
import io.flagledger.flagapi.evaluation.FlagModel.Segment;
import io.flagledger.flagapi.segments.SegmentRow;
import io.flagledger.flagapi.flags.Flag;
import io.flagledger.flagapi.flags.FlagCodec;
import io.flagledger.flagapi.flags.FlagEnvironment;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Everything evaluation needs, in memory: no database round trip per evaluation. Rebuilt when the committed
 * state changes, detected by a cheap fingerprint query (row count and the sum of the versions, which only grow).
 */
@ApplicationScoped
public class EvaluationSnapshot {

    /** A flag as evaluated in one environment; {@code clientVisible}: client SDK keys may evaluate it. */
    public record Entry(FlagDefinition definition, EnvironmentConfig config, long version, String kind, boolean clientVisible) {
    }

    /**
     * One environment's flags and segments, and a revision that changes whenever any of them, or a flag's metadata
     * (client visibility), does (used for ETags and stream event ids).
     */
    public record Environment(Map<String, Entry> flags, Map<String, Segment> segments, String revision) {

        /** Evaluates against this environment's segments. */
        public Evaluator evaluator() {
            return new Evaluator(segments::get);
        }
    }

    private static final String FINGERPRINT = "select (select count(*) from flag_environment), "
            + "(select coalesce(sum(version), 0) from flag_environment), (select count(*) from segment), "
            + "(select coalesce(sum(version), 0) from segment), (select count(*) from flag where archived_at is null), "
            + "(select coalesce(sum(metadata_version), 0) from flag)";

    private volatile Map<String, Environment> environments = Map.of();
    private volatile String fingerprint = "";
    private final BroadcastProcessor<String> changedScopes = BroadcastProcessor.create();

    /** Emits "project/environment" whenever that environment's flags changed (for the SDK stream). */
    public Multi<String> changes() {
        return changedScopes;
    }

    /** False until the first load finished: evaluations must not answer FLAG_NOT_FOUND for flags not loaded yet. */
    public boolean loaded() {
        return !fingerprint.isEmpty();
    }

    public Optional<Environment> environment(String project, String environment) {
        return Optional.ofNullable(environments.get(project + "/" + environment));
    }

    /** The environment's flags; an environment without flags yet is empty, not missing. */
    public Environment environmentOrEmpty(String project, String environment) {
        return environment(project, environment).orElse(new Environment(Map.of(), Map.of(), "empty"));
    }

    /** Reloads if the committed state changed since the last load. */
    @WithSession
    public Uni<Boolean> refresh() {
        return Panache.getSession()
                .chain(session -> session.createNativeQuery(FINGERPRINT, Object[].class).getSingleResult())
                .chain(row -> {
                    String current = row[0] + ":" + row[1] + ":" + row[2] + ":" + row[3] + ":" + row[4] + ":" + row[5];
                    if (current.equals(fingerprint)) {
                        return Uni.createFrom().item(false);
                    }
                    return load().invoke(loaded -> {
                        Map<String, Environment> previous = environments;
                        environments = loaded;
                        fingerprint = current;
                        loaded.forEach((scope, env) -> {
                            Environment before = previous.get(scope);
                            if (before == null || !before.revision().equals(env.revision())) {
                                changedScopes.onNext(scope);
                            }
                        });
                    }).replaceWith(true);
                });
    }

    private static Uni<Map<String, Environment>> load() {
        return Flag.<Flag>list("archivedAt is null").chain(flags -> FlagEnvironment.<FlagEnvironment>listAll()
                .chain(rows -> SegmentRow.<SegmentRow>listAll().map(segments -> build(flags, rows, segments))));
    }

    private static Map<String, Environment> build(List<Flag> flags, List<FlagEnvironment> rows, List<SegmentRow> segmentRows) {
        Map<UUID, Flag> flagsById = flags.stream().collect(Collectors.toMap(f -> f.id, Function.identity()));
        Map<String, Map<String, Entry>> byEnvironment = new HashMap<>();
        Map<String, Long> versionSums = new HashMap<>();
        for (FlagEnvironment row : rows) {
            Flag flag = flagsById.get(row.flagId);
            if (flag == null) {
                continue;
            }
            String scope = flag.project + "/" + row.environment;
            byEnvironment.computeIfAbsent(scope, s -> new HashMap<>())
                    .put(flag.key, new Entry(FlagCodec.definition(flag), FlagCodec.config(row), row.version, flag.kind, flag.clientVisible));
            versionSums.merge(scope, row.version + flag.metadataVersion, Long::sum);
        }
        Map<String, Map<String, Segment>> segments = new HashMap<>();
        for (SegmentRow row : segmentRows) {
            String scope = row.project + "/" + row.environment;
            segments.computeIfAbsent(scope, s -> new HashMap<>()).put(row.key, FlagCodec.segment(row.definition));
            versionSums.merge(scope, row.version, Long::sum);
            byEnvironment.computeIfAbsent(scope, s -> new HashMap<>());
        }
        Map<String, Environment> result = new HashMap<>();
        byEnvironment.forEach((scope, entries) -> {
            Map<String, Segment> scoped = segments.getOrDefault(scope, Map.of());
            result.put(scope, new Environment(Map.copyOf(entries), Map.copyOf(scoped),
                    entries.size() + "-" + scoped.size() + "-" + versionSums.get(scope)));
        });
        return Map.copyOf(result);
    }
}
