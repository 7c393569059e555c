package io.flagledger.approval.notify;

import io.flagledger.approval.db.Db;
import io.flagledger.common.retry.Backoff;
import io.quarkus.scheduler.Scheduled;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** Delivers queued notifications to the webhook, retrying with exponential back-off (at most hourly). */
@ApplicationScoped
public class WebhookSender {

    private static final Logger LOG = Logger.getLogger(WebhookSender.class);
    private static final int MAX_ATTEMPTS = 20;

    @Inject
    Db db;

    @ConfigProperty(name = "flagledger.notifications.webhook-url")
    Optional<String> webhookUrl;

    // java.net.http, not a Quarkus REST client: a customer-configured chat webhook, not a Flagledger service
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Scheduled(every = "${flagledger.notifications.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void deliverScheduled() {
        if (webhookUrl.filter(u -> !u.isBlank()).isPresent()) {
            try {
                deliver();
            } catch (RuntimeException e) {
                LOG.warnf("Webhook delivery paused: %s", e.getMessage());
            }
        }
    }

    void deliver() {
        db.transaction(tx -> {
            for (Row row : tx.query("select id, payload, attempts from notification where delivered_at is null "
                    + "and attempts < $1 and next_attempt_at <= $2 order by id limit 50 for update skip locked",
                    MAX_ATTEMPTS, Instant.now())) {
                String error = post(row.getString("payload"));
                int attempts = row.getInteger("attempts") + 1;
                if (error == null) {
                    tx.query("update notification set attempts = $2, delivered_at = $3, last_error = null where id = $1",
                            row.getLong("id"), attempts, Instant.now());
                } else {
                    long backoff = new Backoff(Duration.ofSeconds(1), Duration.ofHours(1)).delay(attempts + 1).toSeconds();
                    tx.query("update notification set attempts = $2, next_attempt_at = $3, last_error = $4 where id = $1",
                            row.getLong("id"), attempts, Instant.now().plusSeconds(backoff), error);
                }
            }
            return null;
        });
    }

    /** null when delivered, else why not. */
    private String post(String payload) {
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(webhookUrl.orElseThrow()))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(payload)).build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() / 100 == 2 ? null : "webhook answered " + response.statusCode();
        } catch (java.io.IOException e) {
            return "webhook unreachable: " + e.getClass().getSimpleName();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
