package io.flagledger.audit.export;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "flagledger.export")
public interface ExportConfig {

    /** Largest filtered export: each of its entries needs its own inclusion proof. */
    @WithDefault("100000")
    int maxFilteredEvents();

    /** Largest range export (its proof is the recomputed tree, so it scales to millions). */
    @WithDefault("10000000")
    long maxRangeEvents();
}
