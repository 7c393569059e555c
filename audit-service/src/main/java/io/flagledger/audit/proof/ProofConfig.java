package io.flagledger.audit.proof;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How proofs are served: which tree levels are kept in memory. */
@ConfigMapping(prefix = "flagledger.proof")
public interface ProofConfig {

    /**
     * Complete subtrees at this level and above are kept in memory (about n / 2^(level-3) bytes for n leaves:
     * 2.5 MB at 10M leaves with 8); the levels below are read from the store, one query per proof.
     */
    @WithDefault("8")
    int cachedLevel();

    /** How often the in-memory levels read what was completed since (read by ProvingTree's schedule). */
    @WithDefault("5s")
    String refresh();
}
