package io.flagledger.testsupport.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flagledger.testsupport.internal.Processes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class KafkaBrokerTest {

    @Test
    void startsProducesConsumesAndStops() throws Exception {
        Path dir = Path.of("target", "kafka-broker-test-" + System.nanoTime());
        ProcessHandle broker;
        try (KafkaBroker kafka = KafkaBroker.start(dir, Duration.ofSeconds(90))) {
            broker = kafka.processHandle();
            System.out.println("[timing] Kafka broker started in " + kafka.startupTime().toMillis() + " ms, RSS "
                    + Processes.rssMiB(broker) + " MiB, at " + kafka.bootstrapServers());
            assertTrue(kafka.bootstrapServers().matches("127\\.0\\.0\\.1:\\d+"), kafka.bootstrapServers());

            kafka.createTopics(Map.of("flagledger.test", 2));
            kafka.createTopics(Map.of("flagledger.test", 2, "flagledger.other", 1)); // idempotent
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
                assertTrue(names.containsAll(Set.of("flagledger.test", "flagledger.other")), names.toString());
                assertEquals(2, admin.describeTopics(List.of("flagledger.test")).allTopicNames()
                        .get(30, TimeUnit.SECONDS).get("flagledger.test").partitions().size());
            }

            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
                producer.send(new ProducerRecord<>("flagledger.test", "flag-1", "{\"enabled\":true}"))
                        .get(30, TimeUnit.SECONDS);
            }

            Properties c = new Properties();
            c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            c.put(ConsumerConfig.GROUP_ID_CONFIG, "kafka-broker-test");
            c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            ConsumerRecord<String, String> received = null;
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
                consumer.subscribe(List.of("flagledger.test"));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (received == null && System.nanoTime() < deadline) {
                    ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
                    for (ConsumerRecord<String, String> r : records) {
                        received = r;
                    }
                }
            }
            assertTrue(received != null, "no record consumed within 60 s");
            assertEquals("flag-1", received.key());
            assertEquals("{\"enabled\":true}", received.value());
        }
        assertFalse(broker.isAlive(), "broker JVM still running after close()");
        assertTrue(Files.size(dir.resolve("kafka.log")) > 0, "broker logged nothing");
        Processes.deleteRecursively(dir.resolve("data"));
    }

    @Test
    void brokerExitsWhenItsStdinCloses() throws Exception {
        Path dir = Path.of("target", "kafka-broker-stdin-test-" + System.nanoTime());
        try (KafkaBroker kafka = KafkaBroker.start(dir, Duration.ofSeconds(90))) {
            Process p = kafka.process();
            long begin = System.nanoTime();
            p.getOutputStream().close(); // what the OS does when the parent JVM dies
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "broker did not exit on stdin EOF");
            System.out.println("[timing] Kafka broker exited " + (System.nanoTime() - begin) / 1_000_000
                    + " ms after stdin EOF");
        }
        Processes.deleteRecursively(dir.resolve("data"));
    }
}
