package io.flagledger.flagapi.sdkkeys;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

@Entity
@Table(name = "sdk_key")
public class SdkKey extends PanacheEntityBase {

    @Id
    public UUID id;

    public String project;

    public String environment;

    /**
     * {@code server} (evaluates every flag, may stream the raw configuration) or {@code client} (browser/mobile:
     * public; evaluates only client-visible flags, see {@link SdkKeys.Scope#client()}).
     */
    public String kind;

    @Column(name = "key_hash")
    public String keyHash;

    /** The first characters of the key, so people can tell keys apart without the secret. */
    @Column(name = "key_prefix")
    public String keyPrefix;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "created_by")
    public String createdBy;

    @Column(name = "revoked_at")
    public Instant revokedAt;
}
