package io.flagledger.testsupport.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

class KafkaBrokerResourceTest {

    @Test
    void oneBrokerPerJvmClosedByTheLastStop() throws Exception {
        KafkaBrokerResource first = new KafkaBrokerResource();
        first.init(Map.of("topics", "flag.changes:3, audit.x:1"));
        KafkaBrokerResource second = new KafkaBrokerResource();
        second.init(Map.of());

        Map<String, String> config = first.start();
        String bootstrap = config.get("kafka.bootstrap.servers");
        assertEquals(bootstrap, KafkaBrokerResource.bootstrapServers());
        assertEquals(bootstrap, second.start().get("kafka.bootstrap.servers"), "second start() must reuse the broker");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            assertTrue(names.containsAll(Set.of("flag.changes", "audit.x")), names.toString());
        }
        ProcessHandle broker = KafkaBrokerResource.brokerProcess();

        first.stop();
        assertTrue(broker.isAlive(), "broker stopped while still in use");
        assertEquals(bootstrap, KafkaBrokerResource.bootstrapServers());
        second.stop();
        assertTrue(broker.onExit().get(30, TimeUnit.SECONDS) != null);
        assertFalse(broker.isAlive());
        assertThrows(IllegalStateException.class, KafkaBrokerResource::bootstrapServers);
    }
}
