package io.flagledger.audit.ingest;

import io.flagledger.audit.checkpoint.Checkpointer;
import io.flagledger.audit.ledger.Ledger;
import io.flagledger.audit.ledger.SourcePosition;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventSigner;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/**
 * Events audit-service records about itself (exports, audited reads): signed with its own key and appended
 * straight to the ledger, not through Kafka, so the caller learns the sequence number they got.
 */
@ApplicationScoped
public class OwnEvents {

    @Inject
    EventSigner signer;

    @Inject
    Ledger ledger;

    @Inject
    Checkpointer checkpointer;

    public AuditEvent sign(AuditEvent.Builder event) {
        return signer.sign(event.sourceService(TrustedProducers.SELF).build());
    }

    /** Appends signed events in one transaction; returns their sequence numbers. */
    public Uni<long[]> append(List<AuditEvent> signed) {
        return ledger.append(signed.stream().map(e -> new Ledger.Admitted(e, SourcePosition.LOCAL)).toList(), List.of())
                .map(outcome -> {
                    checkpointer.appended(outcome.appended());
                    return outcome.seqs();
                });
    }
}
