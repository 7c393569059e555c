package io.flagledger.flagapi.flags;

import io.flagledger.flagapi.evaluation.FlagModel.EnvironmentConfig;
import io.flagledger.flagapi.evaluation.FlagModel.FlagType;
import io.flagledger.flagapi.evaluation.FlagModel.Variation;
import java.time.Instant;
import java.util.List;

/** Response bodies of the flag endpoints. */
public final class FlagViews {

    private FlagViews() {
    }

    public record EnvironmentView(String environment, boolean enabled, long version, boolean protectedEnvironment,
                                  EnvironmentConfig config) {
    }

    public record FlagView(String project, String key, String name, String description, FlagKind kind, FlagType type,
                           List<Variation> variations, String owner, Instant expiresAt, List<String> tags, String risk,
                           boolean clientVisible, boolean archived, long metadataVersion, List<EnvironmentView> environments) {
    }

    /** A page of flags; pass {@code nextCursor} as {@code cursor} for the next one (null on the last page). */
    public record FlagPage(List<FlagView> items, String nextCursor) {
    }
}
