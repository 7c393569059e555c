package io.flagledger.audit.archive;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * The WORM archive: sealed ledger segments and daily digests as write-once objects, on S3-compatible storage with
 * Object Lock when a bucket is configured, otherwise in a local directory (the embedded default).
 */
@ConfigMapping(prefix = "flagledger.archive")
public interface ArchiveConfig {

    /** Off by default: without an archive no payload ever leaves the hot store. */
    @WithDefault("false")
    boolean enabled();

    /** How often the archiver looks for a segment to seal and a day to digest. */
    @WithDefault("1m")
    Duration interval();

    /** A segment is cut once this many entries are unarchived (it ends at the largest checkpoint within that)... */
    @WithDefault("10000")
    int segmentEvents();

    /** ...or once the oldest unarchived entry is this old, so quiet ledgers are archived too. */
    @WithDefault("1h")
    Duration segmentAge();

    Filesystem filesystem();

    S3 s3();

    /** S3 Object Lock mode; COMPLIANCE means nobody, not even the account root, can shorten or remove it. */
    @WithDefault("COMPLIANCE")
    String objectLockMode();

    /** How long each object is locked (S3) and the archive tier's retention: about seven years by default. */
    @WithDefault("2557")
    int retentionDays();

    interface Filesystem {
        /** Directory of the filesystem archive; objects are written once and made read-only. */
        @WithDefault("archive")
        String path();
    }

    interface S3 {
        /** For S3-compatible stores; empty means AWS. */
        Optional<String> endpoint();

        @WithDefault("us-east-1")
        String region();

        /** Setting a bucket switches the archive from the filesystem to S3. */
        Optional<String> bucket();

        @WithDefault("false")
        boolean pathStyle();

        /** Both empty: the SDK's default chain (IRSA / workload identity, instance profile). */
        Optional<String> accessKeyId();

        Optional<String> secretAccessKey();
    }
}
