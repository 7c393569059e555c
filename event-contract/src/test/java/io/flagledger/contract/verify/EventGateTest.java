package io.flagledger.contract.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Channel;
import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventSigner;
import io.flagledger.contract.RequestMetadata;
import io.flagledger.contract.verify.EventGate.Reason;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The verification decision, record by record: what is admitted, and why everything else is not. */
class EventGateTest {

    private static final KeyPair FLAG_API = Ed25519Keys.generate();
    private static final KeyPair APPROVALS = Ed25519Keys.generate();
    private static final KeyPair STRANGER = Ed25519Keys.generate();
    private static final EventSigner FLAG_API_SIGNER = new EventSigner("flag-api-1", FLAG_API.getPrivate());
    private static final EventSigner APPROVAL_SIGNER = new EventSigner("approval-service-1", APPROVALS.getPrivate());

    private final EventGate gate = new EventGate(List.of(
            new EventGate.TrustedKey("flag-api-1", "flag-api", FLAG_API.getPublic()),
            new EventGate.TrustedKey("approval-service-1", "approval-service", APPROVALS.getPublic())),
            Map.of("flag.changes", List.of("flag-api"), "approval.events", List.of("approval-service")));

    @Test
    void aCorrectlySignedEventFromTheTopicsProducerIsAdmitted() {
        AuditEvent change = FLAG_API_SIGNER.sign(toggle().build());
        EventGate.Verdict verdict = gate.judge("flag.changes", EventJson.toJson(change));
        assertThat(verdict.admitted()).isTrue();
        assertThat(verdict.event()).isEqualTo(change);

        AuditEvent approval = APPROVAL_SIGNER.sign(approved().build());
        assertThat(gate.judge("approval.events", EventJson.toJson(approval)).admitted()).isTrue();
    }

    @Test
    void batchSignedEventsAreJudgedOneByOne() {
        List<AuditEvent> batch = FLAG_API_SIGNER.signBatch(List.of(toggle().build(), toggle().flagId("other").build(),
                toggle().flagId("third").build()));
        for (AuditEvent e : batch) {
            EventGate.Verdict verdict = gate.judge("flag.changes", EventJson.toJson(e));
            assertThat(verdict.admitted()).isTrue();
            assertThat(verdict.canonical()).isEqualTo(EventJson.canonicalBytes(e));
        }
        ObjectNode tampered = (ObjectNode) EventJson.mapper().valueToTree(batch.get(1));
        ((ObjectNode) tampered.get("new_state")).put("enabled", false);
        assertRejected(gate.judge("flag.changes", tampered.toString()), Reason.BAD_SIGNATURE, "batch signature does not match");
        ObjectNode badIndex = (ObjectNode) EventJson.mapper().valueToTree(batch.get(1));
        ((ObjectNode) badIndex.get("signature").get("batch")).put("index", 3);
        assertRejected(gate.judge("flag.changes", badIndex.toString()), Reason.INVALID_ENVELOPE, "signature.batch.index");
        ObjectNode asV1 = (ObjectNode) EventJson.mapper().valueToTree(batch.get(1));
        asV1.put("schema_version", 1);
        assertRejected(gate.judge("flag.changes", asV1.toString()), Reason.INVALID_ENVELOPE, "signature.algorithm");
        // approval-service's genuine batch on flag-api's behalf is still not flag-api's
        AuditEvent impostor = APPROVAL_SIGNER.signBatch(List.of(toggle().build())).get(0);
        assertRejected(gate.judge("flag.changes", EventJson.toJson(impostor)), Reason.KEY_NOT_FOR_SERVICE, "[approval-service]");
    }

    @Test
    void aTamperedNewStateBreaksTheSignature() {
        AuditEvent signed = FLAG_API_SIGNER.sign(toggle().build());
        ObjectNode tampered = (ObjectNode) EventJson.mapper().valueToTree(signed);
        ((ObjectNode) tampered.get("new_state")).put("enabled", false);
        assertRejected(gate.judge("flag.changes", tampered.toString()), Reason.BAD_SIGNATURE, "does not match the content");
    }

    @Test
    void everyOtherEditOfASignedEventIsCaughtToo() {
        AuditEvent signed = FLAG_API_SIGNER.sign(toggle().build());
        for (String field : List.of("actor_id", "correlation_id", "flag_id", "environment", "action")) {
            ObjectNode tampered = (ObjectNode) EventJson.mapper().valueToTree(signed);
            tampered.put(field, field.equals("action") ? "flag.archived" : "edited");
            assertThat(gate.judge("flag.changes", tampered.toString()).reason()).as(field).isEqualTo(Reason.BAD_SIGNATURE);
        }
        ObjectNode withoutApproval = (ObjectNode) EventJson.mapper().valueToTree(
                FLAG_API_SIGNER.sign(toggle().scope(approvalScope("cr-1")).build()));
        ((ObjectNode) withoutApproval.get("scope")).put("approval", "cr-forged");
        assertThat(gate.judge("flag.changes", withoutApproval.toString()).reason()).isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void aKeyNobodyTrustsIsRejectedEvenWithAValidSignatureAndTheTrustedKeyId() {
        assertRejected(gate.judge("flag.changes", EventJson.toJson(new EventSigner("intruder", STRANGER.getPrivate()).sign(toggle().build()))),
                Reason.UNKNOWN_KEY, "'intruder'");
        // A stranger's key under a trusted key id: the signature does not verify with the real key.
        assertRejected(gate.judge("flag.changes", EventJson.toJson(new EventSigner("flag-api-1", STRANGER.getPrivate()).sign(toggle().build()))),
                Reason.BAD_SIGNATURE, "signed with another key");
    }

    @Test
    void aTrustedKeySignsOnlyForItsOwnService() {
        // approval-service's key claiming to be flag-api: the signature is genuine, the claim is not.
        AuditEvent impostor = APPROVAL_SIGNER.sign(toggle().build());
        assertRejected(gate.judge("flag.changes", EventJson.toJson(impostor)), Reason.KEY_NOT_FOR_SERVICE, "[approval-service]");
    }

    @Test
    void aGenuineEventOnTheWrongTopicIsRejected() {
        AuditEvent change = FLAG_API_SIGNER.sign(toggle().build());
        assertRejected(gate.judge("approval.events", EventJson.toJson(change)), Reason.UNEXPECTED_SOURCE, "approval.events");
        AuditEvent approval = APPROVAL_SIGNER.sign(approved().build());
        assertRejected(gate.judge("flag.changes", EventJson.toJson(approval)), Reason.UNEXPECTED_SOURCE, "[flag-api]");
        assertRejected(gate.judge("some.other.topic", EventJson.toJson(change)), Reason.UNEXPECTED_SOURCE, "[]");
    }

    @Test
    void unsupportedSchemaVersionsAndMissingRequiredFieldsAreRejectedBeforeTheSignature() {
        AuditEvent signed = FLAG_API_SIGNER.sign(toggle().build());
        ObjectNode future = (ObjectNode) EventJson.mapper().valueToTree(signed);
        future.put("schema_version", 99);
        assertRejected(gate.judge("flag.changes", future.toString()), Reason.INVALID_ENVELOPE, "schema_version: unsupported version 99");

        ObjectNode noCorrelation = (ObjectNode) EventJson.mapper().valueToTree(signed);
        noCorrelation.remove("correlation_id");
        assertRejected(gate.judge("flag.changes", noCorrelation.toString()), Reason.INVALID_ENVELOPE, "correlation_id: is required");

        ObjectNode unsigned = (ObjectNode) EventJson.mapper().valueToTree(signed);
        unsigned.remove("signature");
        assertRejected(gate.judge("flag.changes", unsigned.toString()), Reason.INVALID_ENVELOPE, "signature: is required");

        ObjectNode otherAlgorithm = (ObjectNode) EventJson.mapper().valueToTree(signed);
        ((ObjectNode) otherAlgorithm.get("signature")).put("algorithm", "none");
        assertRejected(gate.judge("flag.changes", otherAlgorithm.toString()), Reason.INVALID_ENVELOPE, "signature.algorithm");
    }

    @Test
    void recordsThatAreNotEventsAreRejectedWithoutQuotingThem() {
        assertRejected(gate.judge("flag.changes", null), Reason.EMPTY, "no value");
        assertRejected(gate.judge("flag.changes", ""), Reason.EMPTY, "no value");
        EventGate.Verdict garbage = gate.judge("flag.changes", "{\"secret-token\": \"hunter2\"");
        assertRejected(garbage, Reason.MALFORMED, "not a JSON audit event");
        assertThat(garbage.detail()).doesNotContain("hunter2").doesNotContain("secret-token");
        assertRejected(gate.judge("flag.changes", "[1,2,3]"), Reason.MALFORMED, "not a JSON audit event");
        // over what any producer may publish: refused before it is parsed
        assertRejected(gate.judge("flag.changes", "{\"x\":\"" + "x".repeat(512 * 1024) + "\"}"), Reason.OVERSIZED,
                "more than 524288");
    }

    @Test
    void withoutKeysNothingIsAdmitted() {
        EventGate empty = new EventGate(List.of(), Map.of("flag.changes", List.of("flag-api")));
        assertThat(empty.judge("flag.changes", EventJson.toJson(FLAG_API_SIGNER.sign(toggle().build()))).reason())
                .isEqualTo(Reason.UNKNOWN_KEY);
    }

    @Test
    void oneKeyIdCannotNameTwoKeys() {
        assertThatThrownBy(() -> new EventGate(List.of(
                new EventGate.TrustedKey("k", "flag-api", FLAG_API.getPublic()),
                new EventGate.TrustedKey("k", "approval-service", APPROVALS.getPublic())), Map.of()))
                .hasMessageContaining("'k' names two different public keys");
    }

    private static void assertRejected(EventGate.Verdict verdict, Reason reason, String detail) {
        assertThat(verdict.admitted()).isFalse();
        assertThat(verdict.reason()).isEqualTo(reason);
        assertThat(verdict.detail()).contains(detail);
    }

    private static ObjectNode approvalScope(String changeRequest) {
        ObjectNode scope = JsonNodeFactory.instance.objectNode();
        scope.putObject("approval").put("change_request_id", changeRequest);
        return scope;
    }

    private static AuditEvent.Builder toggle() {
        ObjectNode before = JsonNodeFactory.instance.objectNode().put("enabled", false).put("version", 1);
        ObjectNode after = JsonNodeFactory.instance.objectNode().put("enabled", true).put("version", 2);
        return AuditEvent.builder().actorId("sub-requester").actorType(ActorType.USER).actorName("requester")
                .sourceService("flag-api").request(new RequestMetadata("test", "127.0.0.1", Channel.API))
                .action("flag.toggled").project("shop").flagId("checkout").environment("production")
                .previousState(before).newState(after).correlationId("CHG-1").reason("test");
    }

    private static AuditEvent.Builder approved() {
        return AuditEvent.builder().actorId("approver").actorType(ActorType.USER).sourceService("approval-service")
                .action("change_request.approved").project("shop").flagId("checkout").environment("production")
                .newState(JsonNodeFactory.instance.objectNode().put("change_request_id", "cr-1")).correlationId("cr-1");
    }
}
