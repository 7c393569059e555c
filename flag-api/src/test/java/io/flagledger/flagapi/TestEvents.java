package io.flagledger.flagapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventJson;
import io.flagledger.testsupport.kafka.KafkaBrokerResource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads what flag-api published on the real broker, and who a token belongs to. */
public final class TestEvents {

    private TestEvents() {
    }

    public static String subjectOf(String jwt) throws Exception {
        String payload = new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8);
        JsonNode claims = EventJson.mapper().readTree(payload);
        return claims.get("sub").asText();
    }

    /** Reads a topic from the beginning until {@code count} matching events arrived (bounded). */
    public static List<AuditEvent> events(String topic, Predicate<AuditEvent> matching, int count) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerResource.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "flag-api-test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<AuditEvent> found = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (found.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    AuditEvent event = EventJson.parse(record.value());
                    if (matching.test(event)) {
                        found.add(event);
                    }
                }
            }
        }
        assertThat(found).as("matching events on " + topic).hasSize(count);
        return found;
    }

    /** The events of one flag on flag.changes, in order. */
    public static List<AuditEvent> flagEvents(String project, String key, int count) {
        return events("flag.changes", e -> project.equals(e.project()) && key.equals(e.flagId()), count);
    }
}
