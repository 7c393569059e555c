package io.flagledger.common.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventSigner;
import io.flagledger.contract.EventValidator;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigDecimal;
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
                .action("flag.toggled").project(project).flagId(flag).environment("staging").correlationId("c-1").build();
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
                .action("segment.updated").project("shop").environment("production").correlationId("c-1")
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

    @Test
    void anEventTheContractRefusesIsNeverARowAndNamesTheField() {
        AuditEvent nul = event("shop", "checkout").toBuilder().reason("ok\u0000then").build();
        EventRefusedException e = catchThrowableOfType(EventRefusedException.class,
                () -> OutboxRecord.sign(signer, nul, "flag.changes"));
        assertThat(e.violations()).singleElement().asString().startsWith("reason: ");
        assertThat(e.status()).isEqualTo(400);

        AuditEvent longReason = event("shop", "checkout").toBuilder().reason("r".repeat(2001)).build();
        e = catchThrowableOfType(EventRefusedException.class, () -> OutboxRecord.of(signer.sign(longReason), "t", "k"));
        assertThat(e.violations()).singleElement().asString().startsWith("reason: must be at most 2000");
    }

    @Test
    void anEventOverTheSizeLimitIs413AndWithAnotherViolation400() {
        // 50,000 values of 1e20: a ~1 MB event once canonical numbers are spelled out (100000000000000000000)
        var values = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < 50_000; i++) {
            values.add(new BigDecimal("1e20"));
        }
        var state = JsonNodeFactory.instance.objectNode().set("values", values);
        AuditEvent big = event("shop", "checkout").toBuilder().newState(state).build();
        EventRefusedException e = catchThrowableOfType(EventRefusedException.class,
                () -> OutboxRecord.sign(signer, big, "flag.changes"));
        assertThat(e.status()).isEqualTo(413);
        assertThat(e.violations()).singleElement().asString().startsWith("event: its canonical JSON is")
                .contains("more than " + EventValidator.MAX_EVENT_BYTES);

        AuditEvent bigAndNul = big.toBuilder().reason("\u0000").build();
        e = catchThrowableOfType(EventRefusedException.class, () -> OutboxRecord.sign(signer, bigAndNul, "flag.changes"));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.violations()).hasSize(2);
    }

    @Test
    void anEventJustUnderTheLimitIsARow() {
        AuditEvent sized = event("shop", "checkout").toBuilder()
                .newState(JsonNodeFactory.instance.objectNode().put("blob", "x".repeat(EventValidator.MAX_EVENT_BYTES - 2_000)))
                .build();
        OutboxRecord record = OutboxRecord.sign(signer, sized, "flag.changes");
        assertThat(record.payload().getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(EventValidator.MAX_EVENT_BYTES).isGreaterThan(EventValidator.MAX_EVENT_BYTES - 2_000);
    }

    @Test
    void aNumberThatCannotBeCanonicalizedIsRefusedNotA500() {
        AuditEvent huge = event("shop", "checkout").toBuilder()
                .newState(JsonNodeFactory.instance.objectNode().put("n", new BigDecimal("1e400"))).build();
        EventRefusedException e = catchThrowableOfType(EventRefusedException.class,
                () -> OutboxRecord.sign(signer, huge, "flag.changes"));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.violations()).singleElement().asString().startsWith("new_state.n: non-finite number");
    }
}
