package io.flagledger.monitor.alerts;

import io.flagledger.monitor.rules.Detection;
import io.flagledger.monitor.rules.MonitorConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Builds an alert's {@link AlertContext}: owner and risk from what flag.changes told the monitor about the flag, the
 * approval, deployment and pull request from the suspect change's event, and links from
 * {@code flagledger.monitor.alerts.links.*}: the suspect's ledger entry with its inclusion proof (audit-service serves both at one address),
 * the flag's ledger timeline, its console page and the change request's, in approval-service's console.
 */
@ApplicationScoped
public class AlertEnricher {

    @Inject
    MonitorConfig config;

    public Uni<AlertContext> context(SqlConnection tx, Detection detection) {
        if (detection.key().project() == null || detection.key().flag() == null) {
            return Uni.createFrom().item(AlertContext.fromChange(detection.suspect(), null, null, AlertContext.Links.NONE));
        }
        return tx.preparedQuery("select owner, risk from flag_meta where project = $1 and flag_key = $2")
                .execute(Tuple.of(detection.key().project(), detection.key().flag()))
                .map(rows -> {
                    Row row = rows.iterator().hasNext() ? rows.iterator().next() : null;
                    String owner = row == null ? null : row.getString("owner");
                    if (owner == null && detection.details().hasNonNull("owner")) {
                        owner = detection.details().get("owner").asText();
                    }
                    AlertContext partial = AlertContext.fromChange(detection.suspect(), owner,
                            row == null ? null : row.getString("risk"), AlertContext.Links.NONE);
                    return new AlertContext(partial.owner(), partial.risk(), partial.approvers(), partial.changeRequestId(),
                            partial.deploymentId(), partial.pullRequest(), links(detection, partial.changeRequestId()));
                });
    }

    AlertContext.Links links(Detection d, String changeRequest) {
        Optional<String> audit = base(config.alerts().links().auditUrl());
        Optional<String> console = base(config.alerts().links().consoleUrl());
        String project = d.key().project() == null ? "" : encode(d.key().project());
        String flag = d.key().flag() == null ? "" : encode(d.key().flag());
        String entry = d.suspect() == null ? null
                : audit.map(a -> a + "/api/v1/audit/events/" + encode(d.suspect().eventId())).orElse(null);
        return new AlertContext.Links(
                // audit-service answers this with the entry and its RFC 6962 inclusion proof against the latest checkpoint
                entry,
                d.key().flag() == null ? null : audit.map(a -> a + "/api/v1/audit/flags/" + project + "/" + flag + "/timeline").orElse(null),
                d.key().flag() == null ? null : console.map(c -> c + "/flags/" + project + "/" + flag).orElse(null),
                changeRequest == null ? null : console.map(c -> c + "/requests/" + encode(changeRequest)).orElse(null));
    }

    private static Optional<String> base(Optional<String> url) {
        return url.map(String::trim).filter(u -> !u.isBlank()).map(u -> u.replaceAll("/+$", ""));
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
