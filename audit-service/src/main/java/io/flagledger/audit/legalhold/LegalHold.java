package io.flagledger.audit.legalhold;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A legal hold as served; {@code placedEventId}/{@code liftedEventId} are its events in the ledger. */
public record LegalHold(UUID id, boolean active, String reason, OffsetDateTime from, OffsetDateTime to, String project,
                        String flag, String actor, String correlationId, String placedBy, OffsetDateTime placedAt,
                        UUID placedEventId, String liftedBy, OffsetDateTime liftedAt, UUID liftedEventId,
                        String liftReason) {
}
