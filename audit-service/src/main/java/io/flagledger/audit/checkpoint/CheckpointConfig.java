package io.flagledger.audit.checkpoint;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Optional;

/** How and with which key the ledger's tree heads are signed. The private key comes from a Secret, never the image. */
@ConfigMapping(prefix = "flagledger.checkpoint")
public interface CheckpointConfig {

    /** The log's identity, first line of every checkpoint (C2SP: a schema-less URL). */
    @WithDefault("flagledger.example/audit")
    String origin();

    /** Name of the signing key in signature lines and verifier keys; by convention the origin. */
    Optional<String> keyName();

    /** Base64 PKCS#8 (or PEM) Ed25519 private key. Without it no checkpoint is signed. */
    Optional<String> privateKey();

    /** Verifier keys ({@code name+hash+base64}) of rotated-out signing keys, so older checkpoints still verify. */
    Optional<List<String>> previousPublicKeys();

    /** Sign once this many events arrived since the last checkpoint... */
    @WithDefault("1000")
    int everyEvents();

    /** ...or at this interval if the tree grew at all. */
    @WithDefault("10s")
    String interval();
}
