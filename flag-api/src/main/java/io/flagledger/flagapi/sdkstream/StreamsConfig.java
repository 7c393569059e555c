package io.flagledger.flagapi.sdkstream;

import io.smallrye.config.ConfigMapping;
import java.time.Duration;

/**
 * Limits of the SDK change stream (values in application.properties): each open stream holds a connection and a
 * subscription until the client leaves, so an unbounded number of them is a cheap way to exhaust a replica.
 */
@ConfigMapping(prefix = "flagledger.sdk.streams")
public interface StreamsConfig {

    /** Open streams one SDK key may hold on this replica; one more is answered 429. */
    int maxPerKey();

    /** Open streams this replica holds in all; one more is answered 429. */
    int maxTotal();

    /** The Retry-After of a 429. */
    Duration retryAfter();

    /** How often open streams are checked against the active keys; a revoked key's streams close within it. */
    Duration revocationCheckInterval();
}
