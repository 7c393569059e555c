package io.flagledger.monitor.changes;

import java.time.Instant;
import java.util.List;

/** Where {@link ChangeHistory} keeps its changes so that they survive a restart. */
public interface ChangeStore {

    /** Keeps nothing: the history lives in memory only (the rule tests). */
    ChangeStore NONE = new ChangeStore() {
        @Override
        public void save(FlagChange change) {
        }

        @Override
        public List<FlagChange> loadSince(Instant since) {
            return List.of();
        }

        @Override
        public void prune(Instant before) {
        }
    };

    /** Records {@code change}; a change with an event id already stored is ignored (redelivery). */
    void save(FlagChange change);

    /** The stored changes that happened at or after {@code since}, in the order they were recorded. */
    List<FlagChange> loadSince(Instant since);

    /** Forgets the changes that happened before {@code before}. */
    void prune(Instant before);
}
