package io.flagledger.contract.verify;

import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventSignature;
import io.flagledger.contract.EventValidator;
import io.flagledger.contract.EventVerifier;
import io.flagledger.contract.InvalidEventException;
import io.flagledger.contract.SignatureVerificationException;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides whether a consumed Kafka record (e.g. from {@code flag.changes} or {@code approval.events}) may be acted upon: it must be a
 * contract event (supported schema version, required fields), signed with Ed25519 by a trusted producer key (one
 * signature per event or per batch, see {@link EventVerifier}; each event is judged on its own), that key must be bound to the event's {@code source_service}, and that service must be one that publishes on the
 * topic the record came from (a valid approval-service event replayed onto {@code flag.changes} is refused).
 * Plain Java and thread-safe; the checks run in that order and the first failure is the verdict. Services build it
 * from their configured producer keys with service-common's {@code io.flagledger.common.verify.TrustedProducers}.
 */
public final class EventGate {

    /** Why a record was refused; {@link #label()} is the metric tag and the alert's {@code reason}. */
    public enum Reason {
        EMPTY("empty"),
        OVERSIZED("oversized"),
        MALFORMED("malformed"),
        INVALID_ENVELOPE("invalid-envelope"),
        UNKNOWN_KEY("unknown-key"),
        BAD_SIGNATURE("bad-signature"),
        KEY_NOT_FOR_SERVICE("key-not-for-service"),
        UNEXPECTED_SOURCE("unexpected-source");

        private final String label;

        Reason(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** A producer's public key, bound to the one service it may sign for. */
    public record TrustedKey(String keyId, String service, PublicKey key) {
        public TrustedKey {
            Objects.requireNonNull(keyId, "key id");
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(key, "public key");
        }
    }

    /**
     * Either an admitted event ({@code reason == null}) or the reason and a detail for the refusal. {@code event} is
     * set whenever the record could be parsed, also when refused: it is what the record claims, not a fact.
     * {@code detail} never quotes the record's payload beyond the validator's field messages. {@code canonical} is
     * the admitted event's RFC 8785 bytes, computed once at parsing: what a ledger stores and hashes.
     */
    public record Verdict(AuditEvent event, Reason reason, String detail, byte[] canonical) {
        public Verdict(AuditEvent event, Reason reason, String detail) {
            this(event, reason, detail, null);
        }

        public boolean admitted() {
            return reason == null;
        }
    }

    private final Map<String, PublicKey> keys = new HashMap<>();
    private final Map<String, Set<String>> servicesByKeyId = new HashMap<>();
    private final Map<String, Set<String>> sourcesByTopic;
    private final EventVerifier verifier;

    /**
     * @param trusted        producer keys; one key id may be listed for several services only with the same key
     * @param sourcesByTopic the services whose events each topic may carry; a topic not listed admits nothing
     */
    public EventGate(Collection<TrustedKey> trusted, Map<String, ? extends Collection<String>> sourcesByTopic) {
        for (TrustedKey k : trusted) {
            PublicKey before = keys.putIfAbsent(k.keyId(), k.key());
            if (before != null && !before.equals(k.key())) {
                throw new IllegalArgumentException("key id '" + k.keyId() + "' names two different public keys");
            }
            servicesByKeyId.computeIfAbsent(k.keyId(), x -> new TreeSet<>()).add(k.service());
        }
        Map<String, Set<String>> sources = new HashMap<>();
        sourcesByTopic.forEach((topic, services) -> sources.put(topic, Set.copyOf(services)));
        this.sourcesByTopic = Map.copyOf(sources);
        this.verifier = new EventVerifier(keys);
    }

    public Verdict judge(String topic, String payload) {
        return judgeBytes(topic, payload == null ? null : payload.getBytes(StandardCharsets.UTF_8));
    }

    /** {@link #judge(String, String)} on the record's raw bytes, as consumed. */
    public Verdict judgeBytes(String topic, byte[] payload) {
        // An event starts with '{'; only other records pay for decoding to apply String's notion of blank.
        if (payload == null || payload.length == 0 || payload[0] != '{' && new String(payload, StandardCharsets.UTF_8).isBlank()) {
            return new Verdict(null, Reason.EMPTY, "the record has no value");
        }
        int bytes = payload.length;
        if (bytes > EventValidator.MAX_EVENT_BYTES) {
            // no producer may publish it; not even parsed
            return new Verdict(null, Reason.OVERSIZED, "the record is " + bytes + " bytes, more than "
                    + EventValidator.MAX_EVENT_BYTES);
        }
        EventJson.Parsed parsed;
        try {
            parsed = EventJson.parseCanonical(payload);
        } catch (InvalidEventException | IllegalArgumentException e) {
            // The parser's message may quote the payload: it stays out of logs and alerts.
            return new Verdict(null, Reason.MALFORMED, "not a JSON audit event of the contract");
        }
        AuditEvent event = parsed.event();
        List<String> violations = EventValidator.violations(event);
        if (!violations.isEmpty()) {
            return new Verdict(event, Reason.INVALID_ENVELOPE, String.join("; ", violations));
        }
        EventSignature signature = event.signature();
        if (!keys.containsKey(signature.keyId())) {
            return new Verdict(event, Reason.UNKNOWN_KEY, "signed with key id '" + signature.keyId()
                    + "', which is not a trusted producer key");
        }
        try {
            verifier.verify(event, parsed.signing());
        } catch (SignatureVerificationException e) {
            return new Verdict(event, Reason.BAD_SIGNATURE, e.getMessage());
        }
        if (!servicesByKeyId.get(signature.keyId()).contains(event.sourceService())) {
            return new Verdict(event, Reason.KEY_NOT_FOR_SERVICE, "key '" + signature.keyId() + "' may sign for "
                    + servicesByKeyId.get(signature.keyId()) + ", not for source_service '" + event.sourceService() + "'");
        }
        Set<String> allowed = sourcesByTopic.getOrDefault(topic, Set.of());
        if (!allowed.contains(event.sourceService())) {
            return new Verdict(event, Reason.UNEXPECTED_SOURCE, "topic " + topic + " carries events of " + new TreeSet<>(allowed)
                    + ", not of '" + event.sourceService() + "'");
        }
        return new Verdict(event, null, null, parsed.canonical());
    }

    /** Key ids this gate trusts, for the start-up log. */
    public Set<String> keyIds() {
        return new TreeSet<>(keys.keySet());
    }
}
