package io.flagledger.flagapi.flags;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A flag's configuration in one environment; {@code version} is the ETag clients send back in If-Match. */
@Entity
@Table(name = "flag_environment")
public class FlagEnvironment extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "flag_id")
    public UUID flagId;

    public String environment;

    /** The environment's {@link io.flagledger.flagapi.evaluation.FlagModel.EnvironmentConfig} as JSON. */
    public String config;

    /** Hibernate checks it on update, so two concurrent writers cannot both win. */
    @Version
    public long version;

    @Column(name = "updated_at")
    public Instant updatedAt;

    public static Uni<List<FlagEnvironment>> forFlag(UUID flagId) {
        return list("flagId = ?1 order by environment", flagId);
    }

    /**
     * The flag and its row in {@code environment} in one query (a change reads both: one round trip instead of two);
     * null when either is missing, so the caller then asks which.
     */
    public static Uni<Object[]> withFlag(String project, String key, String environment) {
        return Panache.getSession().chain(session -> session.createSelectionQuery("select f, fe from Flag f, FlagEnvironment fe "
                        + "where fe.flagId = f.id and f.project = ?1 and f.key = ?2 and fe.environment = ?3", Object[].class)
                .setParameter(1, project).setParameter(2, key).setParameter(3, environment).getSingleResultOrNull());
    }

    public static Uni<FlagEnvironment> forFlag(UUID flagId, String environment) {
        return find("flagId = ?1 and environment = ?2", flagId, environment).firstResult();
    }
}
