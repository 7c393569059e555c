package io.flagledger.audit.selfcheck;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** When the ledger self-check runs and how much of the ledger each run reads. */
@ConfigMapping(prefix = "flagledger.selfcheck")
public interface SelfCheckConfig {

    /** How often the scheduled check runs (read by SelfCheck's schedule). */
    @WithDefault("1h")
    String interval();

    /** Delay of the first scheduled run after start (read by SelfCheck's schedule). */
    @WithDefault("1m")
    String delay();

    /**
     * A scheduled run re-reads the whole ledger when the last healthy full scan is older than this (or there is
     * none, or the previous run found problems); otherwise it verifies only the entries after the last verified size.
     * {@code 0s} makes every scheduled run a full scan.
     */
    @WithDefault("24h")
    Duration fullScanInterval();

    /** Entries read per query: bounds memory and what one batch pulls through PostgreSQL's buffer cache. */
    @WithDefault("5000")
    int batchSize();
}
