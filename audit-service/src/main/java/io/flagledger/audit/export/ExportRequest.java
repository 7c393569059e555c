package io.flagledger.audit.export;

import io.flagledger.audit.query.AuditFilter;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.common.text.EventText;
import io.flagledger.contract.EventValidator;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What to export and why. Either a {@code filter} (any entries; each gets an inclusion proof) or a sequence
 * range {@code fromSeq..toSeq} (contiguous; proven by recomputing the tree), never both; neither means the
 * whole ledger up to the latest checkpoint. {@code reason} and {@code ticket} go into the chain of custody (free
 * text: no control character but TAB, LF, CR, no lone surrogate); filter values are single lines (400 otherwise).
 */
@Schema(example = "{\"filter\": {\"project\": \"shop\", \"flag\": \"new-checkout\", "
        + "\"from\": \"2026-04-01T00:00:00Z\"}, \"reason\": \"Quarterly access review\", \"ticket\": \"AUD-77\"}")
public record ExportRequest(@Valid Filter filter, Long fromSeq, Long toSeq,
                            @Size(max = ExportRequest.MAX_TEXT) @EventText.Free String reason,
                            @Size(max = ExportRequest.MAX_TICKET) @EventText.Free String ticket) {

    /** The search filters, as in GET /api/v1/audit/events; times are ISO-8601 with offset. */
    public record Filter(@Size(max = MAX_FILTER) @EventText.Line String project,
                         @Size(max = MAX_FILTER) @EventText.Line String flag,
                         @Size(max = MAX_FILTER) @EventText.Line String environment,
                         @Size(max = MAX_FILTER) @EventText.Line String actor,
                         @Size(max = MAX_FILTER) @EventText.Line String actorType,
                         @Size(max = MAX_FILTER) @EventText.Line String action,
                         @Size(max = MAX_FILTER) @EventText.Line String correlationId,
                         @Size(max = MAX_FILTER) @EventText.Line String source,
                         @Size(max = MAX_FILTER) @EventText.Line String channel,
                         @Size(max = MAX_FILTER) @EventText.Line String from,
                         @Size(max = MAX_FILTER) @EventText.Line String to) {

        AuditFilter toAuditFilter() {
            return new AuditFilter(project, flag, environment, actor, actorType, action, correlationId, source, channel,
                    AuditFilter.instant("filter.from", from), AuditFilter.instant("filter.to", to));
        }
    }

    static final int MAX_TEXT = 1000;
    static final int MAX_TICKET = 256;
    /** Filter values are single-line ids and names, as wide as the event contract's ids. */
    static final int MAX_FILTER = EventValidator.MAX_ID_LENGTH;

    /** Checks the request; returns the filter (empty for a range export). */
    AuditFilter validate() {
        if (reason == null || reason.isBlank()) {
            throw ProblemException.badRequest("reason is required: say why these events leave the ledger");
        }
        if (ticket == null || ticket.isBlank()) {
            throw ProblemException.badRequest("ticket is required: the case or incident this export belongs to");
        }
        if (reason.length() > MAX_TEXT || ticket.length() > MAX_TICKET) {
            throw ProblemException.badRequest("reason must be at most " + MAX_TEXT + " characters, ticket at most 256");
        }
        AuditFilter f = filter == null ? AuditFilter.NONE : filter.toAuditFilter();
        if (!f.isEmpty() && (fromSeq != null || toSeq != null)) {
            throw ProblemException.badRequest("give either filter or fromSeq/toSeq, not both");
        }
        if (fromSeq != null && fromSeq < 1 || toSeq != null && toSeq < 1) {
            throw ProblemException.badRequest("fromSeq and toSeq are sequence numbers, starting at 1");
        }
        if (fromSeq != null && toSeq != null && fromSeq > toSeq) {
            throw ProblemException.badRequest("fromSeq (" + fromSeq + ") must not be larger than toSeq (" + toSeq + ")");
        }
        return f;
    }
}
