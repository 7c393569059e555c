package io.flagledger.approval.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.approval.db.Db;
import io.flagledger.approval.requests.ChangeRequest;
import io.flagledger.contract.AuditEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Queues a chat-friendly webhook message for a change request event, in the event's transaction; the
 * {@link WebhookSender} delivers it. Nothing is queued when no webhook is configured.
 */
@ApplicationScoped
public class Notifier {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ConfigProperty(name = "flagledger.notifications.webhook-url")
    Optional<String> webhookUrl;

    /** Where people open the console; webhook messages link to the request there. */
    @ConfigProperty(name = "flagledger.console.public-url")
    Optional<String> consoleUrl;

    public void enqueue(Db.Tx tx, AuditEvent event, ChangeRequest cr) {
        if (webhookUrl.filter(u -> !u.isBlank()).isEmpty()) {
            return;
        }
        String link = consoleUrl.filter(u -> !u.isBlank())
                .map(u -> u.replaceAll("/+$", "") + "/console/requests/" + cr.id()).orElse("");
        ObjectNode body = JSON.createObjectNode();
        // "text" is what Slack, Mattermost and Teams incoming webhooks display.
        body.put("text", String.format("%s: %s%s/%s in %s is %s (%s)%s", event.action(), cr.isSegment() ? "segment " : "",
                cr.project(), cr.targetKey(),
                cr.environment(), cr.state().wire(), event.actorName() == null ? event.actorId() : event.actorName(),
                link.isEmpty() ? "" : " " + link));
        body.put("action", event.action());
        body.put("event_id", event.eventId());
        body.put("change_request_id", cr.id().toString());
        body.put("project", cr.project());
        body.put("target", cr.target());
        body.put("flag", cr.flag());
        body.put("segment", cr.segment());
        body.put("environment", cr.environment());
        body.put("state", cr.state().wire());
        body.put("actor", event.actorId());
        body.put("correlation_id", cr.correlationId());
        body.put("url", link);
        tx.query("insert into notification (payload, created_at, next_attempt_at) values ($1, $2, $2)",
                body.toString(), Instant.now());
    }
}
