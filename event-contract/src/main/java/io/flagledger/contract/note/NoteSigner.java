package io.flagledger.contract.note;

import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.EventSigner;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;

/** Signs note texts with one named Ed25519 key. Thread-safe. */
public final class NoteSigner {

    private final NoteVerifierKey verifierKey;
    private final EventSigner raw;

    public NoteSigner(String name, PrivateKey key) {
        this.verifierKey = NoteVerifierKey.of(name, Ed25519Keys.publicKeyOf(key));
        this.raw = new EventSigner(name, key);
    }

    /** What verifiers need, in the {@code name+hash+key} form. */
    public NoteVerifierKey verifierKey() {
        return verifierKey;
    }

    public NoteSignature signature(String text) {
        SignedNote.checkText(text);
        return new NoteSignature(verifierKey.name(), verifierKey.keyHash(), raw.signRaw(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** The complete signed note: text, blank line, signature line. */
    public String sign(String text) {
        return new SignedNote(text, java.util.List.of(signature(text))).format();
    }
}
