package io.flagledger.flagapi.hygiene;

import io.flagledger.flagapi.evaluation.FlagModel.EnvironmentConfig;
import io.flagledger.flagapi.evaluation.FlagModel.Rollout;
import io.flagledger.flagapi.evaluation.FlagModel.Serve;
import io.flagledger.flagapi.flags.Flag;
import io.flagledger.flagapi.flags.FlagCodec;
import io.flagledger.flagapi.flags.FlagEnvironment;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Flags that should be cleaned up: past their expiry, or serving one variation to everyone everywhere and unchanged
 * for {@code flagledger.stale.rolled-out-days}. The report names the owner to chase and when the flag was last evaluated.
 */
@ApplicationScoped
public class StaleFlags {

    public record StaleFlag(String key, String owner, String kind, List<String> reasons, Instant expiresAt,
                            long ageDays, Instant lastChangedAt, Instant lastEvaluatedAt, long evaluations) {
    }

    private static final String STATS = "select flag_key, sum(evaluations), max(last_evaluated_at) from flag_evaluation_stats "
            + "where project = ?1 group by flag_key";

    @ConfigProperty(name = "flagledger.stale.rolled-out-days")
    int rolledOutDays;

    Clock clock = Clock.systemUTC();

    @WithSession
    public Uni<List<StaleFlag>> report(String project) {
        return Flag.<Flag>list("project = ?1 and archivedAt is null order by key", project).chain(flags -> {
            List<UUID> ids = flags.stream().map(f -> f.id).toList();
            return FlagEnvironment.<FlagEnvironment>list("flagId in ?1", ids.isEmpty() ? List.of(new UUID(0, 0)) : ids)
                    .chain(rows -> Panache.getSession().chain(session -> session.createNativeQuery(STATS, Object[].class)
                            .setParameter(1, project).getResultList())
                            .map(stats -> build(flags, rows, stats)));
        });
    }

    private List<StaleFlag> build(List<Flag> flags, List<FlagEnvironment> rows, List<Object[]> stats) {
        Instant now = clock.instant();
        Map<UUID, List<FlagEnvironment>> byFlag = rows.stream().collect(Collectors.groupingBy(r -> r.flagId));
        Map<String, Object[]> statsByKey = new HashMap<>();
        stats.forEach(row -> statsByKey.put((String) row[0], row));
        List<StaleFlag> stale = new ArrayList<>();
        for (Flag flag : flags) {
            List<FlagEnvironment> environments = byFlag.getOrDefault(flag.id, List.of());
            Instant lastChanged = environments.stream().map(e -> e.updatedAt).max(Comparator.naturalOrder()).orElse(flag.createdAt);
            List<String> reasons = new ArrayList<>();
            if (flag.expiresAt != null && flag.expiresAt.isBefore(now)) {
                reasons.add("expired");
            }
            if (!environments.isEmpty() && environments.stream().allMatch(e -> servesOneVariation(FlagCodec.config(e)))
                    && lastChanged.isBefore(now.minus(Duration.ofDays(rolledOutDays)))) {
                reasons.add("fully-rolled-out");
            }
            if (!reasons.isEmpty()) {
                Object[] stat = statsByKey.get(flag.key);
                stale.add(new StaleFlag(flag.key, flag.owner, flag.kind, reasons, flag.expiresAt,
                        Duration.between(flag.createdAt, now).toDays(), lastChanged,
                        stat == null ? null : toInstant(stat[2]), stat == null ? 0 : ((Number) stat[1]).longValue()));
            }
        }
        return stale;
    }

    /** On, with no targets or rules, and a fallthrough that is one variation (or a rollout giving one variation 100%). */
    static boolean servesOneVariation(EnvironmentConfig config) {
        if (!config.enabled() || !config.targets().isEmpty() || !config.rules().isEmpty()) {
            return false;
        }
        Serve serve = config.fallthrough();
        if (serve == null) {
            return false;
        }
        return serve.rollout() == null || serve.rollout().variations().stream()
                .anyMatch(share -> share.weight() == Rollout.TOTAL_WEIGHT);
    }

    private static Instant toInstant(Object value) {
        if (value instanceof OffsetDateTime odt) {
            return odt.toInstant();
        }
        if (value instanceof Instant instant) {
            return instant;
        }
        return value instanceof java.sql.Timestamp ts ? ts.toInstant() : null;
    }
}
