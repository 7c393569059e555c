package io.flagledger.contract;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.security.KeyPair;
import java.time.Instant;

/** Shared fixtures. */
final class TestEvents {

    static final KeyPair KEYS = Ed25519Keys.generate();
    static final String KEY_ID = Ed25519Keys.keyIdOf(KEYS.getPublic());
    static final EventSigner SIGNER = new EventSigner(KEY_ID, KEYS.getPrivate());

    private TestEvents() {
    }

    static AuditEvent.Builder fullBuilder() {
        ObjectNode prev = JsonNodeFactory.instance.objectNode().put("enabled", false);
        ObjectNode next = JsonNodeFactory.instance.objectNode().put("enabled", true).put("rollout", 0.25);
        return AuditEvent.builder()
                .timestamp(Instant.parse("2026-04-04T12:34:56.123456789Z"))
                .actorId("b1f3c6a0-7e2d-4c1a-9f55-0d2e8c7a1b23")
                .actorType(ActorType.USER)
                .actorName("Ada Lovelace")
                .actorEmail("ada@example.com")
                .actorRoles("flag-admin", "approver", "flag-admin")
                .sourceService("flag-api")
                .action("flag.toggled")
                .project("checkout")
                .flagId("new-payment-flow")
                .environment("production")
                .previousState(prev)
                .newState(next)
                .scope(JsonNodeFactory.instance.objectNode().put("region", "eu"))
                .correlationId("corr-123")
                .reason("Enable for the EU rollout — ticket ☃ #42")
                .request(new RequestMetadata("curl/8.5", "203.0.113.7", Channel.API));
    }

    static AuditEvent signed() {
        return SIGNER.sign(fullBuilder().build());
    }
}
