package io.flagledger.audit.siem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagledger.audit.TaggedEvents;
import io.flagledger.contract.AuditEvent;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Delivery to a real rsyslogd and to a Splunk HEC receiver, through outages, with a dead-letter for a refused record. */
@QuarkusTest
class SiemForwardingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Pool pool;

    @Test
    void syslogDeliversRfc5424WithOcsfAndSurvivesAnOutage() throws Exception {
        String tag = "sys-" + UUID.randomUUID().toString().substring(0, 8);
        List<AuditEvent> first = TaggedEvents.publish(tag, tag, 3);
        for (AuditEvent e : first) {
            String line = awaitSyslogLine(e);
            // APP-NAME MSGID [SD] MSG, as rsyslog parsed them.
            assertThat(line).startsWith("flagledger-audit flag.toggled [flagledger@32473 seq=\"");
            assertThat(line).contains("correlation_id=\"" + e.correlationId() + "\"").contains("source=\"flag-api\"");
            JsonNode ocsf = JSON.readTree(line.substring(line.indexOf("] ") + 2).replace("\uFEFF", ""));
            assertThat(ocsf.path("class_uid").asInt()).isEqualTo(6003);
            assertThat(ocsf.path("type_uid").asLong()).isEqualTo(600303);
            assertThat(ocsf.path("metadata").path("uid").asText()).isEqualTo(e.eventId());
            assertThat(ocsf.path("actor").path("user").path("uid").asText()).isEqualTo("alice-subject");
            assertThat(ocsf.path("resources").path(0).path("uid").asText()).isEqualTo("shop/" + tag);
            assertThat(ocsf.path("src_endpoint").path("ip").asText()).isEqualTo("127.0.0.1");
        }

        SiemReceiversResource.stopRsyslog();
        List<AuditEvent> duringOutage;
        try {
            duringOutage = TaggedEvents.publish(tag, tag + "-outage", 3);
            long lastSeq = seqOf(duringOutage.get(2));
            // The sink fails and backs off; its cursor stays behind the undelivered events.
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                    .until(() -> cursor("syslog") < lastSeq);
        } finally {
            SiemReceiversResource.startRsyslog();
        }
        for (AuditEvent e : duringOutage) {
            awaitSyslogLine(e);
        }
        assertThat(cursor("syslog")).isGreaterThanOrEqualTo(seqOf(duringOutage.get(2)));
    }

    @Test
    void splunkHecGetsEcsRetriesThroughFailuresAndDeadLettersARefusedRecord() throws Exception {
        String tag = "hec-" + UUID.randomUUID().toString().substring(0, 8);
        List<AuditEvent> first = TaggedEvents.publish(tag, tag, 2);
        for (AuditEvent e : first) {
            JsonNode hec = awaitHecEvent(e);
            assertThat(hec.path("sourcetype").asText()).isEqualTo("flagledger:audit");
            assertThat(hec.path("time").decimalValue().longValue()).isEqualTo(e.timestamp().getEpochSecond());
            JsonNode ecs = hec.path("event");
            assertThat(ecs.path("ecs").path("version").asText()).isEqualTo("8.11.0");
            assertThat(ecs.path("@timestamp").asText()).isEqualTo(e.timestamp().toString());
            assertThat(ecs.path("event").path("action").asText()).isEqualTo("flag.toggled");
            assertThat(ecs.path("event").path("category").path(0).asText()).isEqualTo("configuration");
            assertThat(ecs.path("user").path("id").asText()).isEqualTo("alice-subject");
            assertThat(ecs.path("flagledger").path("flag").asText()).isEqualTo(tag);
            assertThat(ecs.path("flagledger").path("new_state").path("enabled").isBoolean()).isTrue();
        }

        // The collector answers 503 for a while: nothing is lost, delivery resumes from the cursor.
        int refusedBefore = SiemReceiversResource.hecRefused();
        System.setProperty(SiemReceiversResource.HEC_FAIL, "503");
        List<AuditEvent> duringOutage;
        try {
            duringOutage = TaggedEvents.publish(tag, tag + "-busy", 3);
            await().atMost(Duration.ofSeconds(20)).until(() -> SiemReceiversResource.hecRefused() >= refusedBefore + 3);
            assertThat(hecEventFor(duringOutage.get(0))).isEmpty();
        } finally {
            System.clearProperty(SiemReceiversResource.HEC_FAIL);
        }
        for (AuditEvent e : duringOutage) {
            awaitHecEvent(e);
        }

        // One record refused for good: it is dead-lettered, the ones around it still arrive.
        String poisoned = tag + "-poison-1";
        System.setProperty(SiemReceiversResource.HEC_REJECT, poisoned);
        try {
            List<AuditEvent> batch = TaggedEvents.publish(tag, tag + "-poison", 3);
            long poisonSeq = seqOf(batch.get(1));
            await().atMost(Duration.ofSeconds(20)).until(() -> deadLetters("splunk", poisonSeq).size() == 1);
            assertThat(deadLetters("splunk", poisonSeq).get(0)).contains("400");
            awaitHecEvent(batch.get(0));
            awaitHecEvent(batch.get(2));
            assertThat(hecEventFor(batch.get(1))).isEmpty();
            assertThat(deadLetters("syslog", poisonSeq)).isEmpty();
        } finally {
            System.clearProperty(SiemReceiversResource.HEC_REJECT);
        }

        // Every seq forwarded once or more, in order, and nothing skipped except the dead letter.
        List<Long> seqs = new ArrayList<>();
        SiemReceiversResource.hecEvents().forEach(h -> seqs.add(h.path("event").path("flagledger").path("seq").asLong()));
        assertThat(seqs).isSortedAccordingTo(Long::compare);
    }

    private String awaitSyslogLine(AuditEvent e) {
        String[] line = new String[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            line[0] = SiemReceiversResource.syslogLines().stream().filter(l -> l.contains("event_id=\"" + e.eventId() + "\""))
                    .findFirst().orElse(null);
            return line[0] != null;
        });
        return line[0];
    }

    private JsonNode awaitHecEvent(AuditEvent e) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            found[0] = hecEventFor(e).orElse(null);
            return found[0] != null;
        });
        return found[0];
    }

    private static Optional<JsonNode> hecEventFor(AuditEvent e) {
        return SiemReceiversResource.hecEvents().stream()
                .filter(h -> e.eventId().equals(h.path("event").path("event").path("id").asText())).findFirst();
    }

    private List<String> deadLetters(String sink, long seq) {
        List<String> reasons = new ArrayList<>();
        for (Row r : pool.query("select reason from siem_dead_letter where sink = '" + sink + "' and seq = " + seq).execute()
                .await().indefinitely()) {
            reasons.add(r.getString("reason"));
        }
        return reasons;
    }

    private long cursor(String sink) {
        var rows = pool.query("select last_seq from siem_cursor where sink = '" + sink + "'").execute().await().indefinitely();
        return rows.size() == 0 ? 0 : rows.iterator().next().getLong(0);
    }

    private long seqOf(AuditEvent e) {
        await().atMost(Duration.ofSeconds(30)).until(() -> pool.query("select count(*) from ledger_entry where event_id = '"
                + e.eventId() + "'").execute().await().indefinitely().iterator().next().getLong(0) == 1);
        return pool.query("select seq from ledger_entry where event_id = '" + e.eventId() + "'").execute().await().indefinitely()
                .iterator().next().getLong(0);
    }
}
