package io.flagledger.audit.retention;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The hot tier: how long payloads stay queryable in PostgreSQL before only their archived copy remains. */
@ConfigMapping(prefix = "flagledger.retention")
public interface RetentionConfig {

    /** Payloads received longer ago than this leave the hot store (once archived, unheld and forwarded). */
    @WithDefault("90")
    int hotDays();

    /** How often the purge runs; {@code off} disables it. */
    @WithDefault("1h")
    String interval();

    /** At most this many payloads per purge transaction, so one run never holds locks for long. */
    @WithDefault("5000")
    int batch();
}
