package io.flagledger.flagapi.flags;

import io.flagledger.flagapi.evaluation.FlagModel.EnvironmentConfig;
import io.flagledger.flagapi.evaluation.FlagModel.FlagType;
import io.flagledger.flagapi.evaluation.FlagModel.Variation;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.flagledger.flagapi.freeze.FreezeView;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import java.util.List;

/** Response bodies of the flag endpoints. */
public final class FlagViews {

    private FlagViews() {
    }

    /** {@code frozen}: the freeze that refuses writes to this environment now; absent when none does. */
    public record EnvironmentView(String environment, boolean enabled, long version, boolean protectedEnvironment,
                                  EnvironmentConfig config,
                                  @JsonInclude(JsonInclude.Include.NON_NULL)
                                  @Schema(description = "The active freeze covering this environment; absent when none")
                                  FreezeView.Ref frozen) {
    }

    /**
     * {@code frozen}: the project's active freezes (each refuses writes to this flag in its scope); absent when none.
     * A flag-wide event's state is this view, written only when nothing is frozen, so it never carries them.
     */
    public record FlagView(String project, String key, String name, String description, FlagKind kind, FlagType type,
                           List<Variation> variations, String owner, Instant expiresAt, List<String> tags, String risk,
                           boolean clientVisible, boolean archived, long metadataVersion, List<EnvironmentView> environments,
                           @JsonInclude(JsonInclude.Include.NON_EMPTY)
                           @Schema(description = "The project's active freezes; absent when nothing is frozen")
                           List<FreezeView.Ref> frozen) {
    }

    /** A page of flags; pass {@code nextCursor} as {@code cursor} for the next one (null on the last page). */
    public record FlagPage(List<FlagView> items, String nextCursor) {
    }
}
