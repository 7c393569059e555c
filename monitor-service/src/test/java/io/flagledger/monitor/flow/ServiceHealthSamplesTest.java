package io.flagledger.monitor.flow;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flagledger.monitor.signals.PushedSamples;
import io.flagledger.monitor.signals.ServiceHealthConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * service.health believes configured applications only, and keeps a bounded number of samples for each: a writer
 * inventing application names is counted, parked once per name with a security alert, and costs no memory; an
 * application pushing too fast keeps its newest samples only (%test: at most 50).
 */
@QuarkusTest
class ServiceHealthSamplesTest {

    private static Kafka kafka;

    @Inject
    PushedSamples samples;

    @Inject
    Pool pool;

    @Inject
    ServiceHealthConsumer consumer;

    @BeforeAll
    static void connect() {
        kafka = new Kafka();
    }

    @AfterAll
    static void disconnect() {
        kafka.close();
    }

    @Test
    void samplesOfAnUnconfiguredApplicationAreCountedParkedOnceAndNotKept() {
        String stranger = "stranger-" + System.nanoTime();
        double before = unknownCounted();
        for (int i = 0; i < 5; i++) {
            kafka.send("service.health", stranger, Kafka.healthSample(stranger, 0.9, Instant.now()));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> unknownCounted() - before >= 5);
        assertThat(samples.size(stranger)).isZero();
        assertThat(count("select count(*) as n from rejected_event where reason = 'unknown-application' and detail like $1",
                "%" + stranger + "%")).isEqualTo(1);
        // one signed security alert (monitor.event_rejected on security.events) for the name, not one per sample
        assertThat(securityAlertsAbout(stranger)).isEqualTo(1);
    }

    @Test
    void anApplicationKeepsAtMostItsBoundOfSamples() {
        Instant start = Instant.now().minusSeconds(200);
        for (int i = 0; i < 120; i++) {
            kafka.send("service.health", "bounded", Kafka.healthSample("bounded", 0.01, start.plusSeconds(i)));
        }
        kafka.send("service.health", "bounded", Kafka.healthSample("bounded", 0.02, start.plusSeconds(150)));
        await().atMost(Duration.ofSeconds(30)).until(() -> !samples.since("bounded", start.plusSeconds(150)).isEmpty());
        assertThat(samples.size("bounded")).isEqualTo(50);
        // the newest were kept: the oldest gone first
        assertThat(samples.since("bounded", start.plusSeconds(71))).hasSize(50);
    }

    /** On an application's own topic (writable by its principal alone) a sample naming another application is refused. */
    @Test
    void aSampleOnAnotherApplicationsOwnTopicIsRefused() {
        Instant at = Instant.now();
        consumer.onSample(new ConsumerRecord<>("service.health.bounded", 0, 0L, "k", Kafka.healthSample("hostile", 0.9, at)));
        assertThat(samples.since("hostile", at)).isEmpty();
        consumer.onSample(new ConsumerRecord<>("service.health.hostile", 0, 0L, "k", Kafka.healthSample("hostile", 0.1, at)));
        assertThat(samples.since("hostile", at)).singleElement().satisfies(sample -> assertThat(sample.value()).isEqualTo(0.1));
    }

    private long count(String sql, String param) {
        return pool.preparedQuery(sql).execute(Tuple.of(param)).await().atMost(Duration.ofSeconds(10)).iterator().next().getLong("n");
    }

    private long securityAlertsAbout(String application) {
        return count("select count(*) as n from outbox_event where topic = 'security.events' "
                + "and payload like '%monitor.event_rejected%' and payload like $1", "%" + application + "%");
    }

    private static double unknownCounted() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString().lines()
                .filter(l -> l.startsWith("flagledger_monitor_samples_rejected_total{") && l.contains("unknown-application"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
