package io.flagledger.monitor.changes;

import io.flagledger.monitor.rules.MonitorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Recent changes per flag and environment, for as long as the longest rule window. The rules read them from memory;
 * every recorded change is also written to a {@link ChangeStore} (monitor-service's database) first, and the
 * changes within the retention window are reloaded from it before the first use after a start. A restart therefore
 * does not forget the suspect of an error spike that follows, although the Kafka consumer's committed offset means
 * the change is not redelivered.
 */
@ApplicationScoped
public class ChangeHistory {

    private final Map<FlagKey, Deque<FlagChange>> byKey = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration retention;
    private final ChangeStore store;
    private final Object loading = new Object();
    private volatile boolean loaded;

    @Inject
    public ChangeHistory(Clock clock, MonitorConfig config, ChangeStore store) {
        this(clock, config.historyRetention(), store);
    }

    /** A history kept in memory only. */
    public ChangeHistory(Clock clock, Duration retention) {
        this(clock, retention, ChangeStore.NONE);
    }

    public ChangeHistory(Clock clock, Duration retention, ChangeStore store) {
        this.clock = clock;
        this.retention = retention;
        this.store = store;
    }

    /** Records an accepted change, durably before in memory; a change already recorded (same event id) is ignored. */
    public void record(FlagChange change) {
        load();
        store.save(change);
        remember(change);
    }

    /** Changes to {@code key} at or after {@code since}, oldest first. */
    public List<FlagChange> since(FlagKey key, Instant since) {
        load();
        Deque<FlagChange> changes = byKey.get(key);
        if (changes == null) {
            return List.of();
        }
        synchronized (changes) {
            return changes.stream().filter(c -> !c.timestamp().isBefore(since)).toList();
        }
    }

    /** The latest change to {@code key} at or after {@code since}. */
    public Optional<FlagChange> latest(FlagKey key, Instant since) {
        List<FlagChange> recent = since(key, since);
        return recent.isEmpty() ? Optional.empty() : Optional.of(recent.get(recent.size() - 1));
    }

    /**
     * Reads the stored changes within the retention window into memory, once; every other method calls it first, so
     * no rule judges a change against a history not yet reloaded. Throws (and is retried on the next use) while the
     * store cannot be read.
     */
    public void load() {
        if (loaded) {
            return;
        }
        synchronized (loading) {
            if (!loaded) {
                store.loadSince(clock.instant().minus(retention)).forEach(this::remember);
                loaded = true;
            }
        }
    }

    /** Drops the changes older than the retention window, from memory and from the store. */
    public void prune() {
        Instant horizon = clock.instant().minus(retention);
        for (Deque<FlagChange> changes : byKey.values()) {
            synchronized (changes) {
                changes.removeIf(c -> c.timestamp().isBefore(horizon));
            }
        }
        store.prune(horizon);
    }

    /** Forgets everything held in memory, as a restart does; the next use reloads from the store. */
    public void forget() {
        synchronized (loading) {
            loaded = false;
            byKey.clear();
        }
    }

    private void remember(FlagChange change) {
        Deque<FlagChange> changes = byKey.computeIfAbsent(change.key(), k -> new ArrayDeque<>());
        synchronized (changes) {
            if (changes.stream().anyMatch(c -> c.eventId().equals(change.eventId()))) {
                return;
            }
            changes.addLast(change);
            Instant horizon = clock.instant().minus(retention);
            while (!changes.isEmpty() && changes.peekFirst().timestamp().isBefore(horizon)) {
                changes.removeFirst();
            }
        }
    }
}
