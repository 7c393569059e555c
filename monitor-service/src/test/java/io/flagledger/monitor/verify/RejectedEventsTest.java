package io.flagledger.monitor.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.verify.EventGate;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** A refused record redelivered at the same position (a consumer restart before the commit) is recorded and alerted once. */
@QuarkusTest
class RejectedEventsTest {

    @Inject
    RejectedEvents rejected;

    @Inject
    EventGate gate;

    @Inject
    Pool pool;

    @Test
    void aRedeliveredRejectedRecordRaisesOneAlert() {
        int partition = 1000 + ThreadLocalRandom.current().nextInt(1_000_000);
        String payload = "{\"forged\": true";
        EventGate.Verdict verdict = gate.judge("flag.changes", payload);
        assertThat(verdict.reason()).isEqualTo(EventGate.Reason.MALFORMED);

        rejected.reject("flag.changes", partition, 7, payload, verdict);
        rejected.reject("flag.changes", partition, 7, payload, verdict);
        rejected.reject("flag.changes", partition, 8, payload, verdict); // the same bytes again, at a new offset: a new record

        List<Row> rows = new ArrayList<>();
        pool.preparedQuery("select kafka_offset, reason, detail, payload_sha256 from rejected_event where topic = $1 and kafka_partition = $2 "
                + "order by kafka_offset").execute(Tuple.of("flag.changes", partition)).await().atMost(Duration.ofSeconds(10)).forEach(rows::add);
        assertThat(rows).extracting(r -> r.getLong("kafka_offset")).containsExactly(7L, 8L);
        assertThat(rows.get(0).getString("reason")).isEqualTo("malformed");
        assertThat(rows.get(0).getString("detail")).doesNotContain("forged");

        List<AuditEvent> alerts = new ArrayList<>();
        pool.preparedQuery("select payload from outbox_event where topic = 'security.events' and payload like $1")
                .execute(Tuple.of("%\"correlation_id\":\"rejected-flag.changes-" + partition + "-%"))
                .await().atMost(Duration.ofSeconds(10)).forEach(r -> alerts.add(EventJson.parse(r.getString("payload"))));
        assertThat(alerts).extracting(a -> a.scope().path("offset").asLong()).containsExactlyInAnyOrder(7L, 8L);
        assertThat(alerts).allSatisfy(a -> {
            assertThat(a.action()).isEqualTo("monitor.event_rejected");
            assertThat(a.scope().path("partition").asInt()).isEqualTo(partition);
            assertThat(a.scope().toString()).doesNotContain("forged");
        });
    }
}
