package io.flagledger.audit.ingest;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/** How the ingestor spends the machine: the poll size is the Kafka consumer's {@code max.poll.records}. */
@ConfigMapping(prefix = "flagledger.ingest")
public interface IngestConfig {

    /**
     * Threads that parse and verify records (the Ed25519 check is ingestion's main CPU cost); default one per
     * core. Bounded, so a backlog cannot starve the event loop that writes the previous poll.
     */
    Optional<Integer> verifyThreads();

    default int threads() {
        return Math.max(1, verifyThreads().orElse(Runtime.getRuntime().availableProcessors()));
    }
}
