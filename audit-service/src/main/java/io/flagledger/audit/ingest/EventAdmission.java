package io.flagledger.audit.ingest;

import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventValidator;
import io.flagledger.contract.InvalidEventException;
import io.flagledger.contract.SignatureVerificationException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/** Decides whether a received record may enter the ledger: well-formed, valid and signed by a trusted key of its service. */
@ApplicationScoped
public class EventAdmission {

    /** The outcome: either an admitted event or the reason it was refused. */
    public record Verdict(AuditEvent event, String rejection) {
        public boolean admitted() {
            return rejection == null;
        }
    }

    private final TrustedProducers producers;

    @Inject
    public EventAdmission(TrustedProducers producers) {
        this.producers = producers;
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
            producers.verifier().verify(event);
        } catch (SignatureVerificationException e) {
            return new Verdict(event, "signature rejected: " + e.getMessage());
        }
        if (!producers.maySignFor(event.signature().keyId(), event.sourceService())) {
            return new Verdict(event, "key " + event.signature().keyId() + " may not sign for " + event.sourceService());
        }
        return new Verdict(event, null);
    }
}
