package io.flagledger.flagapi.evaluation;

import io.flagledger.flagapi.evaluation.FlagModel.EnvironmentConfig;
import io.flagledger.flagapi.evaluation.FlagModel.FlagDefinition;
import io.flagledger.flagapi.evaluation.FlagModel.Segment;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Everything evaluation needs, in memory: no database round trip per evaluation. Changed copy-on-write, one flag (or
 * one environment's segments) at a time, by {@link SnapshotRefresher}: a change costs a copy of the environment's
 * references, never a re-parse or re-serialization of its other flags. Readers see an {@link Environment} that never
 * changes; every change publishes a new one.
 */
@ApplicationScoped
public class EvaluationSnapshot {

    private static final Comparator<Entry> BY_KEY = Comparator.comparing(entry -> entry.definition().key());

    /**
     * A flag as evaluated in one environment; {@code clientVisible}: client SDK keys may evaluate it. {@code memo}
     * holds what readers derive from this entry alone (pre-encoded answers); it dies with the entry.
     */
    public record Entry(FlagDefinition definition, EnvironmentConfig config, long version, String kind, boolean clientVisible,
                        long metadataVersion, Memo memo) {

        public Entry(FlagDefinition definition, EnvironmentConfig config, long version, String kind, boolean clientVisible) {
            this(definition, config, version, kind, clientVisible, 0, new Memo());
        }

        /** What this entry adds to its environment's revision. */
        long versionSum() {
            return version + metadataVersion;
        }
    }

    /** A per-entry cache of derived values (at most a few per variation and reason). */
    public static final class Memo {
        private final Map<Object, Object> values = new ConcurrentHashMap<>();

        @SuppressWarnings("unchecked")
        public <K, V> V computeIfAbsent(K key, Function<K, V> compute) {
            return (V) values.computeIfAbsent(key, k -> compute.apply((K) k));
        }
    }

    /**
     * One environment's flags and segments, immutable. {@code revision} changes whenever any of them, or a flag's
     * metadata (client visibility), does (ETags and stream event ids); it is computed from the stored versions, so
     * every replica names the same state alike. {@code sequence} orders this replica's changes.
     */
    public static final class Environment {
        private final Map<String, Entry> flags;
        private final List<Entry> sorted;
        private final List<Entry> clientVisibleSorted;
        private final Map<String, Segment> segments;
        private final long flagSum;
        private final long segmentSum;
        private final String revision;
        private final long sequence;
        private final Evaluator evaluator;

        Environment(Map<String, Entry> flags, List<Entry> sorted, Map<String, Segment> segments, long flagSum, long segmentSum,
                    long sequence) {
            this.flags = flags;
            this.sorted = sorted;
            this.clientVisibleSorted = sorted.stream().filter(Entry::clientVisible).toList();
            this.segments = segments;
            this.flagSum = flagSum;
            this.segmentSum = segmentSum;
            this.revision = revision(flags.size(), segments.size(), flagSum + segmentSum);
            this.sequence = sequence;
            this.evaluator = new Evaluator(segments::get);
        }

        static String revision(long flagCount, long segmentCount, long versionSum) {
            return flagCount + "-" + segmentCount + "-" + versionSum;
        }

        public Map<String, Entry> flags() {
            return flags;
        }

        /** The flags in key order (bulk answers are sorted; sorting once per change, not per request). */
        public List<Entry> sorted() {
            return sorted;
        }

        /** The client-visible flags in key order. */
        public List<Entry> clientVisibleSorted() {
            return clientVisibleSorted;
        }

        public Map<String, Segment> segments() {
            return segments;
        }

        public String revision() {
            return revision;
        }

        public long sequence() {
            return sequence;
        }

        /** Evaluates against this environment's segments. */
        public Evaluator evaluator() {
            return evaluator;
        }
    }

    /**
     * What one change did to one environment: the flags added or replaced, the flag keys removed, the segments
     * added or replaced and the segment keys removed, and the environment as it is now.
     */
    public record Change(String scope, Environment environment, Map<String, Entry> flags, Set<String> removedFlags,
                         Map<String, Segment> segments, Set<String> removedSegments) {
    }

    /** A flag row as stored, with its environment's row: what a load reads. */
    public record FlagRow(UUID id, String project, String key, boolean archived, long metadataVersion, String environment,
                          Entry entry) {
    }

    /** A segment as stored. */
    public record SegmentRecord(String project, String environment, String key, Segment segment, long version) {
    }

    private static final Environment EMPTY = new Environment(Map.of(), List.of(), Map.of(), 0, 0, 0);

    private volatile Map<String, Environment> environments = Map.of();
    private volatile boolean loaded;
    /** Where each flag this replica serves lives: "project" and key, to remove a flag the database no longer has. */
    private final Map<UUID, String[]> homes = new ConcurrentHashMap<>();
    /** Segment versions per scope and key, for the revision. */
    private final Map<String, Map<String, Long>> segmentVersions = new HashMap<>();
    private long sequence;
    private final BroadcastProcessor<String> changedScopes = BroadcastProcessor.create();
    private final BroadcastProcessor<Change> changes = BroadcastProcessor.create();

    /** Emits "project/environment" whenever that environment's flags changed. */
    public Multi<String> changes() {
        return changedScopes;
    }

    /** Emits what each change did, per environment, after it is visible to readers (for the SDK stream's patches). */
    public Multi<Change> patches() {
        return changes;
    }

    /** False until the first load finished: evaluations must not answer FLAG_NOT_FOUND for flags not loaded yet. */
    public boolean loaded() {
        return loaded;
    }

    public Optional<Environment> environment(String project, String environment) {
        return Optional.ofNullable(environments.get(project + "/" + environment));
    }

    /** The environment's flags; an environment without flags yet is empty, not missing. */
    public Environment environmentOrEmpty(String project, String environment) {
        return environment(project, environment).orElse(EMPTY);
    }

    /** The revision of every environment held, by "project/environment". */
    Map<String, String> revisions() {
        Map<String, String> revisions = new HashMap<>();
        environments.forEach((scope, env) -> revisions.put(scope, env.revision()));
        return revisions;
    }

    /**
     * Applies the current rows of these flags (all their environments; none for a flag that no longer exists).
     * Called by one thread at a time ({@link SnapshotRefresher}).
     */
    synchronized void applyFlags(Collection<UUID> ids, List<FlagRow> rows) {
        Map<String, Map<String, Entry>> upserts = new HashMap<>();
        Map<String, Set<String>> removals = new HashMap<>();
        Set<UUID> seen = new HashSet<>();
        for (FlagRow row : rows) {
            seen.add(row.id());
            String scope = row.project() + "/" + row.environment();
            if (row.archived()) {
                homes.remove(row.id());
                removals.computeIfAbsent(scope, s -> new HashSet<>()).add(row.key());
            } else if (row.entry() != null) {
                homes.put(row.id(), new String[] {row.project(), row.key()});
                upserts.computeIfAbsent(scope, s -> new HashMap<>()).put(row.key(), row.entry());
            }
        }
        for (UUID id : ids) {
            String[] home = seen.contains(id) ? null : homes.remove(id);
            if (home != null) {
                for (String scope : environments.keySet()) {
                    if (scope.startsWith(home[0] + "/")) {
                        removals.computeIfAbsent(scope, s -> new HashSet<>()).add(home[1]);
                    }
                }
            }
        }
        Set<String> scopes = new HashSet<>(upserts.keySet());
        scopes.addAll(removals.keySet());
        Map<String, Environment> next = new HashMap<>(environments);
        List<Change> done = new ArrayList<>();
        for (String scope : scopes) {
            Environment before = next.getOrDefault(scope, EMPTY);
            Map<String, Entry> changed = new LinkedHashMap<>();
            upserts.getOrDefault(scope, Map.of()).forEach((key, entry) -> {
                Entry old = before.flags.get(key);
                if (old == null || old.version() != entry.version() || old.metadataVersion() != entry.metadataVersion()) {
                    changed.put(key, entry);
                }
            });
            Set<String> removed = new HashSet<>();
            for (String key : removals.getOrDefault(scope, Set.of())) {
                if (before.flags.containsKey(key)) {
                    removed.add(key);
                }
            }
            if (changed.isEmpty() && removed.isEmpty()) {
                continue;
            }
            Map<String, Entry> flags = new HashMap<>(before.flags);
            List<Entry> sorted = new ArrayList<>(before.sorted);
            long sum = before.flagSum;
            for (String key : removed) {
                Entry old = flags.remove(key);
                sum -= old.versionSum();
                sorted.remove(Collections.binarySearch(sorted, old, BY_KEY));
            }
            for (Entry entry : changed.values()) {
                Entry old = flags.put(entry.definition().key(), entry);
                int at = Collections.binarySearch(sorted, entry, BY_KEY);
                if (old != null) {
                    sum -= old.versionSum();
                    sorted.set(at, entry);
                } else {
                    sorted.add(-at - 1, entry);
                }
                sum += entry.versionSum();
            }
            Environment after = new Environment(Collections.unmodifiableMap(flags), Collections.unmodifiableList(sorted),
                    before.segments, sum, before.segmentSum, ++sequence);
            next.put(scope, after);
            done.add(new Change(scope, after, Collections.unmodifiableMap(changed), Set.copyOf(removed), Map.of(), Set.of()));
        }
        publish(next, done);
    }

    /** Replaces the segments of these environments with their current rows. */
    synchronized void applySegments(Collection<String> scopes, List<SegmentRecord> rows) {
        Map<String, Map<String, SegmentRecord>> byScope = new HashMap<>();
        scopes.forEach(scope -> byScope.put(scope, new HashMap<>()));
        rows.forEach(row -> byScope.computeIfAbsent(row.project() + "/" + row.environment(), s -> new HashMap<>()).put(row.key(), row));
        Map<String, Environment> next = new HashMap<>(environments);
        List<Change> done = new ArrayList<>();
        byScope.forEach((scope, current) -> {
            Environment before = next.getOrDefault(scope, EMPTY);
            Map<String, Long> versions = segmentVersions.getOrDefault(scope, Map.of());
            Map<String, Segment> changed = new LinkedHashMap<>();
            current.forEach((key, row) -> {
                if (!Long.valueOf(row.version()).equals(versions.get(key))) {
                    changed.put(key, row.segment());
                }
            });
            Set<String> removed = new HashSet<>(versions.keySet());
            removed.removeAll(current.keySet());
            if (changed.isEmpty() && removed.isEmpty()) {
                return;
            }
            Map<String, Segment> segments = new HashMap<>();
            Map<String, Long> newVersions = new HashMap<>();
            long sum = 0;
            for (SegmentRecord row : current.values()) {
                segments.put(row.key(), row.segment());
                newVersions.put(row.key(), row.version());
                sum += row.version();
            }
            segmentVersions.put(scope, newVersions);
            Environment after = new Environment(before.flags, before.sorted, Collections.unmodifiableMap(segments), before.flagSum,
                    sum, ++sequence);
            next.put(scope, after);
            done.add(new Change(scope, after, Map.of(), Set.of(), Collections.unmodifiableMap(changed), Set.copyOf(removed)));
        });
        publish(next, done);
    }

    /**
     * Replaces everything with a full load: every flag row not archived and every segment. What differs from what
     * was held is announced like any other change.
     */
    synchronized void replaceAll(List<FlagRow> flags, List<SegmentRecord> segments) {
        Set<UUID> ids = new HashSet<>(homes.keySet());
        flags.forEach(row -> ids.add(row.id()));
        applyFlags(ids, flags);
        Set<String> scopes = new HashSet<>(segmentVersions.keySet());
        segments.forEach(row -> scopes.add(row.project() + "/" + row.environment()));
        applySegments(scopes, segments);
        loaded = true;
    }

    private void publish(Map<String, Environment> next, List<Change> done) {
        if (done.isEmpty()) {
            return;
        }
        environments = Map.copyOf(next);
        for (Change change : done) {
            changedScopes.onNext(change.scope());
            changes.onNext(change);
        }
    }
}
