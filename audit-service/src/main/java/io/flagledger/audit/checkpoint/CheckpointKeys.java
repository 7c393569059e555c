package io.flagledger.audit.checkpoint;

import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.note.NoteSigner;
import io.flagledger.contract.note.NoteVerifier;
import io.flagledger.contract.note.NoteVerifierKey;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/** The current signing key (if configured) and every key whose checkpoints we still accept. */
@Singleton
public class CheckpointKeys {

    private static final Logger LOG = Logger.getLogger(CheckpointKeys.class);

    private final Optional<NoteSigner> signer;
    private final List<NoteVerifierKey> previous;
    private final NoteVerifier verifier;

    @Inject
    public CheckpointKeys(CheckpointConfig config) {
        String name = config.keyName().filter(n -> !n.isBlank()).orElse(config.origin());
        this.signer = config.privateKey().filter(k -> !k.isBlank())
                .map(k -> new NoteSigner(name, Ed25519Keys.decodePrivate(k)));
        List<NoteVerifierKey> old = new ArrayList<>();
        for (String encoded : config.previousPublicKeys().orElse(List.of())) {
            if (!encoded.isBlank()) {
                try {
                    old.add(NoteVerifierKey.parse(encoded.strip()));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("flagledger.checkpoint.previous-public-keys: " + e.getMessage(), e);
                }
            }
        }
        this.previous = List.copyOf(old);
        List<NoteVerifierKey> all = new ArrayList<>(previous);
        signer.ifPresent(s -> all.add(0, s.verifierKey()));
        this.verifier = new NoteVerifier(all);
        if (signer.isEmpty()) {
            LOG.warn("flagledger.checkpoint.private-key is not set (env FLAGLEDGER_CHECKPOINT_PRIVATE_KEY): "
                    + "no checkpoint will be signed and the ledger cannot be proven to outsiders");
        }
    }

    public Optional<NoteSigner> signer() {
        return signer;
    }

    public Optional<NoteVerifierKey> current() {
        return signer.map(NoteSigner::verifierKey);
    }

    public List<NoteVerifierKey> previous() {
        return previous;
    }

    /** Accepts notes by the current or any previous key. */
    public NoteVerifier verifier() {
        return verifier;
    }
}
