package io.flagledger.audit.ingest;

import io.flagledger.audit.checkpoint.CheckpointKeys;
import io.flagledger.contract.note.NoteVerifierKey;
import io.flagledger.audit.access.ReaderScope;
import io.flagledger.common.actor.CurrentActor;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** Everything a verifier needs: checkpoint verifier keys (current and rotated out) and the producers' event keys, each with the services it may sign for. */
@Path("/api/v1/audit/keys")
@Produces(MediaType.APPLICATION_JSON)
public class KeysResource {

    @Inject
    CurrentActor currentActor;


    /** {@code verifierKey} is the C2SP note verifier key {@code name+keyhash+base64(0x01||key)}. */
    public record CheckpointKey(String name, String keyHash, String verifierKey) {
        static CheckpointKey of(NoteVerifierKey k) {
            return new CheckpointKey(k.name(), String.format("%08x", k.keyHash()), k.encoded());
        }
    }

    public record Keys(CheckpointKey checkpoint, List<CheckpointKey> previousCheckpointKeys, List<TrustedProducers.ProducerKey> producers) {
    }

    @Inject
    CheckpointKeys checkpointKeys;

    @Inject
    TrustedProducers producers;

    @GET
    @Authenticated
    public Keys keys() {
        // not project data: any reader, scoped or not, needs them to verify what it reads
        ReaderScope.requireAnywhere(currentActor.actor());
        return new Keys(checkpointKeys.current().map(CheckpointKey::of).orElse(null),
                checkpointKeys.previous().stream().map(CheckpointKey::of).toList(), producers.all());
    }
}
