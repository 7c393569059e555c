package io.flagledger.common.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventSigner;
import java.security.KeyPair;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class OutboxRecordTest {

    private final KeyPair keys = Ed25519Keys.generate();
    private final EventSigner signer = new EventSigner("k1", keys.getPrivate());

    private static AuditEvent event(String project, String flag) {
        return AuditEvent.builder().actorId("alice").actorType(ActorType.USER).sourceService("flag-api")
                .action("flag.toggled").project(project).flagId(flag).environment("staging").build();
    }

    @Test
    void signsAndKeysByProjectAndFlag() {
        OutboxRecord record = OutboxRecord.sign(signer, event("shop", "checkout"), "flag.changes");
        assertThat(record.event().signature()).isNotNull();
        assertThat(record.topic()).isEqualTo("flag.changes");
        assertThat(record.messageKey()).isEqualTo("shop/checkout");
        assertThat(record.payload()).isEqualTo(EventJson.toJson(record.event()));
        assertThat(record.eventId()).isEqualTo(UUID.fromString(record.event().eventId()));
    }

    @Test
    void aMissingProjectOrFlagIsADash() {
        assertThat(OutboxRecord.orderingKey(event(null, null))).isEqualTo("-/-");
        assertThat(OutboxRecord.orderingKey(event("shop", null))).isEqualTo("shop/-");
    }

    @Test
    void aSegmentsEventsShareTheSegmentsKey() {
        AuditEvent segment = AuditEvent.builder().actorId("alice").actorType(ActorType.USER).sourceService("flag-api")
                .action("segment.updated").project("shop").environment("production")
                .scope(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("segment", "beta"))
                .build();
        assertThat(OutboxRecord.orderingKey(segment)).isEqualTo("shop/segment:beta");
    }

    @Test
    void rowValuesInInsertOrder() {
        OutboxRecord record = OutboxRecord.of(signer.sign(event("shop", "checkout")), "t", "custom-key");
        Object[] values = record.values();
        assertThat(values).hasSize(5);
        assertThat(values[0]).isEqualTo(record.eventId());
        assertThat(values[1]).isEqualTo("t");
        assertThat(values[2]).isEqualTo("custom-key");
        assertThat(values[3]).isEqualTo(record.payload());
        assertThat(values[4]).isEqualTo(record.createdAt().atOffset(ZoneOffset.UTC));
        assertThat(((OffsetDateTime) values[4]).getOffset()).isEqualTo(ZoneOffset.UTC);
        assertThat(record.tuple().size()).isEqualTo(5);
    }
}
