package io.flagledger.flagapi.flags;

import java.util.List;

/** Response bodies of the flag endpoints. */
public final class FlagViews {

    private FlagViews() {
    }

    public record EnvironmentView(String environment, boolean enabled, long version, boolean protectedEnvironment) {
    }

    public record FlagView(String project, String key, String name, String description, List<EnvironmentView> environments) {
    }
}
