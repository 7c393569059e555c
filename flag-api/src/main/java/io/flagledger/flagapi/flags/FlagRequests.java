package io.flagledger.flagapi.flags;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Request bodies of the flag endpoints. */
public final class FlagRequests {

    public static final String KEY_PATTERN = "^[a-z0-9][a-z0-9._-]{0,127}$";

    private FlagRequests() {
    }

    public record CreateFlag(
            @NotNull @Pattern(regexp = KEY_PATTERN, message = "must match " + KEY_PATTERN) String key,
            @NotBlank @Size(max = 200) String name,
            @Size(max = 2000) String description,
            @Size(max = 2000) String reason) {
    }

    public record Toggle(
            @NotNull Boolean enabled,
            @Size(max = 2000) String reason,
            @Size(max = 256) @Pattern(regexp = "^[\\x21-\\x7e]+$", message = "must be printable ASCII without spaces") String correlationId) {
    }
}
