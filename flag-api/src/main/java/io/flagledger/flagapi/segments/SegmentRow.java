package io.flagledger.flagapi.segments;

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

@Entity
@Table(name = "segment")
public class SegmentRow extends PanacheEntityBase {

    @Id
    public UUID id;

    public String project;

    public String environment;

    @Column(name = "segment_key")
    public String key;

    /** The segment's includes, excludes and rules as JSON. */
    public String definition;

    @Version
    public long version;

    /** The version clients see: 1 for a new segment, so 0 can mean "does not exist yet" in If-Match and approvals. */
    public long revision() {
        return version + 1;
    }

    @Column(name = "updated_at")
    public Instant updatedAt;

    public static Uni<SegmentRow> find(String project, String environment, String key) {
        return find("project = ?1 and environment = ?2 and key = ?3", project, environment, key).firstResult();
    }

    public static Uni<List<SegmentRow>> inEnvironment(String project, String environment) {
        return list("project = ?1 and environment = ?2 order by key", project, environment);
    }
}
