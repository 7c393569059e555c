package io.flagledger.monitor.flow;

import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventJson;
import io.flagledger.testsupport.kafka.KafkaBrokerResource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Plain Kafka clients for the tests: publish as flag-api / approval-service would, read monitor.actions. */
final class Kafka implements AutoCloseable {

    private final KafkaProducer<String, String> producer;
    private final KafkaConsumer<String, String> consumer;
    private final List<AuditEvent> actions = new ArrayList<>();

    Kafka() {
        String bootstrap = KafkaBrokerResource.bootstrapServers();
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringSerializer(), new StringSerializer());
        consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "monitor-test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer());
        consumer.subscribe(List.of("monitor.actions"));
    }

    void publish(String topic, AuditEvent event) {
        send(topic, event.project() + "/" + event.flagId(), EventJson.toJson(event));
    }

    void send(String topic, String key, String value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every monitor.actions event read so far (polls once more first). */
    synchronized List<AuditEvent> actions() {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
            actions.add(EventJson.parse(r.value()));
        }
        return List.copyOf(actions);
    }

    /** monitor.actions events about {@code change} from {@code rule}. */
    List<AuditEvent> actionsFor(AuditEvent change, String rule) {
        return actions().stream()
                .filter(e -> e.scope() != null && change.eventId().equals(e.scope().path("suspect_event_id").asText())
                        && rule.equals(e.scope().path("rule").asText()))
                .toList();
    }

    /** A pushed error-rate sample as applications send it on service.health. */
    static String healthSample(String application, double rate, java.time.Instant at) {
        return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("application", application)
                .put("error_rate", rate).put("timestamp", at.toString()).toString();
    }

    @Override
    public void close() {
        producer.close();
        consumer.close();
    }
}
