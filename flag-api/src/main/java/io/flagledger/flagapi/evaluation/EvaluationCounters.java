package io.flagledger.flagapi.evaluation;

import io.flagledger.flagapi.sdkkeys.SdkKeys;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * Counts evaluations per flag in memory (an evaluation never waits for the database) and adds them to
 * {@code flag_evaluation_stats} periodically, for the stale-flag report. A crash loses at most one interval's counts,
 * which only makes a flag look a little less used.
 */
@ApplicationScoped
public class EvaluationCounters {

    private static final Logger LOG = Logger.getLogger(EvaluationCounters.class);
    private static final String UPSERT = "insert into flag_evaluation_stats (project, environment, flag_key, evaluations, last_evaluated_at) "
            + "values ($1, $2, $3, $4, $5) on conflict (project, environment, flag_key) do update "
            + "set evaluations = flag_evaluation_stats.evaluations + excluded.evaluations, "
            + "last_evaluated_at = greatest(flag_evaluation_stats.last_evaluated_at, excluded.last_evaluated_at)";

    private static final class Count {
        final LongAdder evaluations = new LongAdder();
        volatile long lastMillis;
    }

    /** By SDK key scope, then flag: recording an evaluation that was counted before allocates nothing. */
    private final Map<SdkKeys.Scope, Map<String, Count>> counts = new ConcurrentHashMap<>();

    @Inject
    Pool client;

    public void record(SdkKeys.Scope scope, String flag) {
        Count count = counts.computeIfAbsent(scope, s -> new ConcurrentHashMap<>()).computeIfAbsent(flag, f -> new Count());
        count.evaluations.increment();
        count.lastMillis = System.currentTimeMillis();
    }

    @Scheduled(every = "${flagledger.evaluation-stats.flush-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduledFlush() {
        return flush().onFailure().invoke(e -> LOG.warnf("Could not flush evaluation counts: %s", e.getMessage()))
                .onFailure().recoverWithNull();
    }

    /** Moves the counts gathered so far into the database; counts that fail to write are put back. */
    public Uni<Void> flush() {
        List<Tuple> batch = new ArrayList<>();
        List<Map.Entry<Count, Long>> taken = new ArrayList<>();
        counts.forEach((scope, flags) -> flags.forEach((flag, count) -> {
            long n = count.evaluations.sumThenReset();
            if (n > 0) {
                taken.add(Map.entry(count, n));
                batch.add(Tuple.of(scope.project(), scope.environment(), flag, n,
                        OffsetDateTime.ofInstant(Instant.ofEpochMilli(count.lastMillis), ZoneOffset.UTC)));
            }
        }));
        if (batch.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return client.preparedQuery(UPSERT).executeBatch(batch).replaceWithVoid()
                .onFailure().invoke(e -> taken.forEach(t -> t.getKey().evaluations.add(t.getValue())));
    }
}
