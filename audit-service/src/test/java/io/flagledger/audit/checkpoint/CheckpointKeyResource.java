package io.flagledger.audit.checkpoint;

import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.note.NoteVerifierKey;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.security.KeyPair;
import java.util.Map;

/**
 * A fresh checkpoint signing key per test run (no key is ever committed), plus a second key playing a
 * rotated-out one, listed in previous-public-keys. Tests rebuild the verifier from the configured private key
 * themselves, so what /keys serves is checked, not trusted.
 */
public class CheckpointKeyResource implements QuarkusTestResourceLifecycleManager {

    public static final String ORIGIN = "flagledger.test/audit";
    public static final String PREVIOUS_NAME = "flagledger.test/audit-2025";

    @Override
    public Map<String, String> start() {
        KeyPair current = Ed25519Keys.generate();
        KeyPair previous = Ed25519Keys.generate();
        return Map.of(
                "flagledger.checkpoint.origin", ORIGIN,
                "flagledger.checkpoint.private-key", Ed25519Keys.encodePrivate(current.getPrivate()),
                "flagledger.checkpoint.previous-public-keys", NoteVerifierKey.of(PREVIOUS_NAME, previous.getPublic()).encoded());
    }

    @Override
    public void stop() {
        // the keys only ever lived in memory
    }
}
