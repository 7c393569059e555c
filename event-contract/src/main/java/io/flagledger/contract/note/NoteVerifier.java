package io.flagledger.contract.note;

import static io.flagledger.contract.note.NoteVerificationException.Failure.BAD_SIGNATURE;
import static io.flagledger.contract.note.NoteVerificationException.Failure.UNKNOWN_KEY;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Opens signed notes against a fixed set of trusted keys (current and rotated-out ones). A note is accepted
 * when at least one signature is by a trusted key and every signature by a trusted key verifies; signatures by
 * unknown keys (e.g. witnesses' cosignatures) are ignored.
 */
public final class NoteVerifier {

    private final List<NoteVerifierKey> keys;

    public NoteVerifier(Collection<NoteVerifierKey> trusted) {
        this.keys = List.copyOf(trusted);
    }

    /** The note's text and the trusted keys that signed it. */
    public record VerifiedNote(String text, List<NoteVerifierKey> signedBy) {
    }

    public VerifiedNote open(String note) throws NoteVerificationException {
        return open(SignedNote.parse(note));
    }

    public VerifiedNote open(SignedNote note) throws NoteVerificationException {
        byte[] text = note.text().getBytes(StandardCharsets.UTF_8);
        Set<NoteVerifierKey> signedBy = new LinkedHashSet<>();
        List<String> unknown = new ArrayList<>();
        for (NoteSignature s : note.signatures()) {
            NoteVerifierKey key = find(s);
            if (key == null) {
                unknown.add(s.name() + "+" + NoteVerifierKey.hex(s.keyHash()));
            } else if (key.verifies(text, s.signature())) {
                signedBy.add(key);
            } else {
                throw new NoteVerificationException(BAD_SIGNATURE, "signature by " + s.name() + "+"
                        + NoteVerifierKey.hex(s.keyHash()) + " does not match the note text");
            }
        }
        if (signedBy.isEmpty()) {
            throw new NoteVerificationException(UNKNOWN_KEY, "no signature by a trusted key; the note is signed by "
                    + (unknown.isEmpty() ? "nobody" : String.join(", ", unknown)));
        }
        return new VerifiedNote(note.text(), List.copyOf(signedBy));
    }

    private NoteVerifierKey find(NoteSignature s) {
        for (NoteVerifierKey k : keys) {
            if (k.name().equals(s.name()) && k.keyHash() == s.keyHash()) {
                return k;
            }
        }
        return null;
    }
}
