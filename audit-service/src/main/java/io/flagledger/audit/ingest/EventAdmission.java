package io.flagledger.audit.ingest;

import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventValidator;
import io.flagledger.contract.EventVerifier;
import io.flagledger.contract.InvalidEventException;
import io.flagledger.contract.SignatureVerificationException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Decides whether a received record may enter the ledger: well-formed, valid and signed by a trusted key of its service. */
@ApplicationScoped
public class EventAdmission {

    /** The outcome: either an admitted event or the reason it was refused. */
    public record Verdict(AuditEvent event, String rejection) {
        public boolean admitted() {
            return rejection == null;
        }
    }

    private final EventVerifier verifier;
    private final Map<String, String> serviceByKeyId;

    @Inject
    public EventAdmission(TrustedKeysConfig config) {
        this.verifier = EventVerifier.fromEncoded(config.trustedKeys().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().publicKey())));
        this.serviceByKeyId = config.trustedKeys().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().service()));
    }

    public Verdict judge(byte[] payload) {
        if (payload == null || payload.length == 0) {
            return new Verdict(null, "empty record");
        }
        AuditEvent event;
        try {
            event = EventJson.parse(payload);
        } catch (InvalidEventException e) {
            return new Verdict(null, "not a contract event: " + e.getMessage());
        }
        List<String> violations = EventValidator.violations(event);
        if (!violations.isEmpty()) {
            return new Verdict(event, "invalid event: " + String.join("; ", violations));
        }
        try {
            verifier.verify(event);
        } catch (SignatureVerificationException e) {
            return new Verdict(event, "signature rejected: " + e.getMessage());
        }
        String allowedService = serviceByKeyId.get(event.signature().keyId());
        if (!event.sourceService().equals(allowedService)) {
            return new Verdict(event, "key " + event.signature().keyId() + " may not sign for " + event.sourceService());
        }
        return new Verdict(event, null);
    }
}
