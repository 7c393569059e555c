package io.flagledger.audit;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Channel;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.RequestMetadata;
import io.flagledger.testsupport.kafka.KafkaBrokerResource;
import io.flagledger.testsupport.signing.SigningKeyResource;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Signed flag events through real Kafka, each with its own correlation id ({@code <prefix>-<i>}) to pick it out later. */
public final class TaggedEvents {

    private TaggedEvents() {
    }

    public static List<AuditEvent> publish(String flag, String correlationPrefix, int count) {
        List<AuditEvent> events = new ArrayList<>();
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerResource.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                AuditEvent e = SigningKeyResource.signer().sign(AuditEvent.builder()
                        .action("flag.toggled").actorId("alice-subject").actorName("Alice").actorType(ActorType.USER)
                        .actorRoles(List.of("flag-editor")).sourceService("flag-api").project("shop").flagId(flag)
                        .environment("production")
                        .previousState(JsonNodeFactory.instance.objectNode().put("enabled", i % 2 == 0))
                        .newState(JsonNodeFactory.instance.objectNode().put("enabled", i % 2 != 0))
                        .correlationId(correlationPrefix + "-" + i).reason("archive test " + i)
                        .request(new RequestMetadata("test-agent", "127.0.0.1", Channel.API)).build());
                producer.send(new ProducerRecord<>("flag.changes", "shop/" + flag,
                        EventJson.toJson(e).getBytes(StandardCharsets.UTF_8))).get();
                events.add(e);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return events;
    }
}
