package io.flagledger.audit.legalhold;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.flagledger.common.text.EventText;
import io.flagledger.contract.EventValidator;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.time.OffsetDateTime;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What to hold: every event matching all given criteria (at least one). {@code from}/{@code to} bound the
 * event's own time (inclusive, exclusive; RFC 3339 strings, never numbers); {@code project} narrows {@code flag}.
 * The reason is free text (no control character but TAB, LF, CR, no lone surrogate), the criteria single lines.
 */
@Schema(example = "{\"reason\": \"Litigation hold, case 2026-114\", \"from\": \"2026-01-01T00:00:00Z\", "
        + "\"project\": \"shop\", \"flag\": \"new-checkout\"}")
public record LegalHoldRequest(
        @NotBlank @Size(max = EventValidator.MAX_REASON_LENGTH) @EventText.Free String reason,
        @JsonDeserialize(using = Rfc3339.class) OffsetDateTime from,
        @JsonDeserialize(using = Rfc3339.class) OffsetDateTime to,
        @Size(max = 128) @EventText.Line String project,
        @Size(max = 128) @EventText.Line String flag,
        @Size(max = EventValidator.MAX_ID_LENGTH) @EventText.Line String actor,
        @Size(max = EventValidator.MAX_ID_LENGTH) @EventText.Line String correlationId) {
}
