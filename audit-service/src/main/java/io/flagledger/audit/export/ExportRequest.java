package io.flagledger.audit.export;

import io.flagledger.audit.query.AuditFilter;
import io.flagledger.common.problem.ProblemException;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What to export and why. Either a {@code filter} (any entries; each gets an inclusion proof) or a sequence
 * range {@code fromSeq..toSeq} (contiguous; proven by recomputing the tree), never both; neither means the
 * whole ledger up to the latest checkpoint. {@code reason} and {@code ticket} go into the chain of custody.
 */
@Schema(example = "{\"filter\": {\"project\": \"shop\", \"flag\": \"new-checkout\", "
        + "\"from\": \"2026-04-01T00:00:00Z\"}, \"reason\": \"Quarterly access review\", \"ticket\": \"AUD-77\"}")
public record ExportRequest(Filter filter, Long fromSeq, Long toSeq, String reason, String ticket) {

    /** The search filters, as in GET /api/v1/audit/events; times are ISO-8601 with offset. */
    public record Filter(String project, String flag, String environment, String actor, String actorType, String action,
                         String correlationId, String source, String channel, String from, String to) {

        AuditFilter toAuditFilter() {
            return new AuditFilter(project, flag, environment, actor, actorType, action, correlationId, source, channel,
                    AuditFilter.instant("filter.from", from), AuditFilter.instant("filter.to", to));
        }
    }

    static final int MAX_TEXT = 1000;

    /** Checks the request; returns the filter (empty for a range export). */
    AuditFilter validate() {
        if (reason == null || reason.isBlank()) {
            throw ProblemException.badRequest("reason is required: say why these events leave the ledger");
        }
        if (ticket == null || ticket.isBlank()) {
            throw ProblemException.badRequest("ticket is required: the case or incident this export belongs to");
        }
        if (reason.length() > MAX_TEXT || ticket.length() > 256) {
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
