package io.flagledger.audit.legalhold;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.time.OffsetDateTime;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What to hold: every event matching all given criteria (at least one). {@code from}/{@code to} bound the
 * event's own time (inclusive, exclusive); {@code project} narrows {@code flag}.
 */
@Schema(example = "{\"reason\": \"Litigation hold, case 2026-114\", \"from\": \"2026-01-01T00:00:00Z\", "
        + "\"project\": \"shop\", \"flag\": \"new-checkout\"}")
public record LegalHoldRequest(
        @NotBlank @Size(max = 2000) String reason,
        OffsetDateTime from,
        OffsetDateTime to,
        @Size(max = 128) String project,
        @Size(max = 128) String flag,
        @Size(max = 256) String actor,
        @Size(max = 256) String correlationId) {
}
