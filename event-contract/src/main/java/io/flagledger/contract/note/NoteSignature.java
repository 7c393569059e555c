package io.flagledger.contract.note;

import java.util.Base64;

/** One signature line of a note: {@code — <name> <base64(4-byte key hash || signature)>}. */
public record NoteSignature(String name, int keyHash, byte[] signature) {

    public NoteSignature {
        NoteVerifierKey.checkName(name);
        signature = signature.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    public String line() {
        byte[] blob = new byte[4 + signature.length];
        blob[0] = (byte) (keyHash >>> 24);
        blob[1] = (byte) (keyHash >>> 16);
        blob[2] = (byte) (keyHash >>> 8);
        blob[3] = (byte) keyHash;
        System.arraycopy(signature, 0, blob, 4, signature.length);
        return SignedNote.SIGNATURE_PREFIX + name + " " + Base64.getEncoder().encodeToString(blob) + "\n";
    }
}
