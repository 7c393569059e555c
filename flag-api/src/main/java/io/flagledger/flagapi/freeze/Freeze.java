package io.flagledger.flagapi.freeze;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** An incident freeze of a project ({@code environment} null) or of one of its environments; active until lifted. */
@Entity
@Table(name = "flag_freeze")
public class Freeze extends PanacheEntityBase {

    @Id
    public UUID id;

    public String project;

    public String environment;

    public String reason;

    public String ticket;

    @Column(name = "set_by")
    public String setBy;

    @Column(name = "set_at")
    public Instant setAt;

    @Column(name = "lifted_by")
    public String liftedBy;

    @Column(name = "lifted_at")
    public Instant liftedAt;

    @Column(name = "lift_reason")
    public String liftReason;

    /** Whether this freeze stops writes to {@code environment} of its project (null: a write to every environment). */
    public boolean covers(String targetEnvironment) {
        return this.environment == null || targetEnvironment == null || this.environment.equals(targetEnvironment);
    }
}
