package io.flagledger.flagapi.ofrep;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** OFREP event streams (ADR-0008); values in application.properties. */
@ConfigMapping(prefix = "flagledger.ofrep.event-stream")
public interface OfrepConfig {

    /** Advertised as {@code inactivityDelaySec}: a hidden browser tab closes its stream after this long. */
    @WithDefault("120s")
    Duration inactivityDelay();

    /**
     * How long a bulk re-fetch carrying a {@code flagConfigEtag} this replica does not serve yet waits for its
     * snapshot to catch up (the event may come from a replica that refreshed first) before answering what it has.
     */
    @WithDefault("1s")
    Duration refetchWait();
}
