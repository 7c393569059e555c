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
 * Recent changes per flag and environment, kept in memory for as long as the longest rule window: the rules
 * look back minutes, not days, and after a restart the Kafka consumer's committed offset has already been
 * judged.
 */
@ApplicationScoped
public class ChangeHistory {

    private final Map<FlagKey, Deque<FlagChange>> byKey = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration retention;

    @Inject
    public ChangeHistory(Clock clock, MonitorConfig config) {
        this(clock, config.historyRetention());
    }

    public ChangeHistory(Clock clock, Duration retention) {
        this.clock = clock;
        this.retention = retention;
    }

    public void record(FlagChange change) {
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

    /** Changes to {@code key} at or after {@code since}, oldest first. */
    public List<FlagChange> since(FlagKey key, Instant since) {
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
}
