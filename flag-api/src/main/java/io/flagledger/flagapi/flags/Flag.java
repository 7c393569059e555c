package io.flagledger.flagapi.flags;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

@Entity
@Table(name = "flag")
public class Flag extends PanacheEntityBase {

    @Id
    public UUID id;

    public String project;

    @Column(name = "flag_key")
    public String key;

    public String name;

    public String description;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "created_by")
    public String createdBy;

    public String kind;

    @Column(name = "flag_type")
    public String type;

    /** JSON array of {name, value}. */
    public String variations;

    /** Per-flag bucketing salt: part of every rollout hash. */
    public String salt;

    public String owner;

    @Column(name = "expires_at")
    public Instant expiresAt;

    /** JSON array of strings. */
    public String tags;

    public String risk;

    /** Whether client (public) SDK keys may evaluate this flag; server keys evaluate every flag. */
    @Column(name = "client_visible")
    public boolean clientVisible;

    /** Set while the flag is archived (it is then neither evaluated nor listed); history is kept. */
    @Column(name = "archived_at")
    public Instant archivedAt;

    /** Bumped by every flag-wide change (metadata, archive, restore); environments have their own versions. */
    @Column(name = "metadata_version")
    public long metadataVersion = 1;

    public static Uni<Flag> findByKey(String project, String key) {
        return find("project = ?1 and key = ?2", project, key).firstResult();
    }

    /** Row-locked, so two flag-wide changes cannot both pass the same If-Match check. */
    public static Uni<Flag> findByKeyForUpdate(String project, String key) {
        return find("project = ?1 and key = ?2", project, key).withLock(jakarta.persistence.LockModeType.PESSIMISTIC_WRITE).firstResult();
    }
}
