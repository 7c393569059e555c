package io.flagledger.contract.note;

import io.flagledger.contract.Ed25519Engine;
import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.Hashing;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An Ed25519 note verifier key, written {@code <name>+<8 hex digits key hash>+<base64(0x01 || 32-byte key)>}.
 * The key hash is the first 4 bytes of SHA-256(name || 0x0A || 0x01 || key), so a signature line names its key.
 */
public record NoteVerifierKey(String name, int keyHash, byte[] rawPublicKey) {

    static final byte ALG_ED25519 = 0x01;

    public NoteVerifierKey {
        checkName(name);
        Objects.requireNonNull(rawPublicKey, "public key");
        if (rawPublicKey.length != 32) {
            throw new IllegalArgumentException("an Ed25519 public key is 32 bytes, not " + rawPublicKey.length);
        }
        rawPublicKey = rawPublicKey.clone();
        if (keyHash != keyHash(name, rawPublicKey)) {
            throw new IllegalArgumentException("key hash " + hex(keyHash) + " does not match name '" + name
                    + "' and key (expected " + hex(keyHash(name, rawPublicKey)) + ")");
        }
    }

    public static NoteVerifierKey of(String name, PublicKey key) {
        byte[] raw = Ed25519Keys.rawPublic(key);
        return new NoteVerifierKey(name, keyHash(name, raw), raw);
    }

    /** Parses {@code name+hash+key}; rejects any other spelling, other algorithms and mismatched hashes. */
    public static NoteVerifierKey parse(String encoded) {
        if (encoded == null) {
            throw new IllegalArgumentException("verifier key is missing");
        }
        String[] parts = encoded.split("\\+", 3);
        if (parts.length != 3 || !parts[1].matches("[0-9a-f]{8}")) {
            throw new IllegalArgumentException("verifier key must be <name>+<8 lowercase hex digits>+<base64 key>");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("verifier key material is not base64", e);
        }
        if (key.length != 33 || key[0] != ALG_ED25519 || !Base64.getEncoder().encodeToString(key).equals(parts[2])) {
            throw new IllegalArgumentException("verifier key material must be base64(0x01 || 32-byte Ed25519 key)");
        }
        return new NoteVerifierKey(parts[0], Integer.parseUnsignedInt(parts[1], 16), Arrays.copyOfRange(key, 1, 33));
    }

    /** First 4 bytes (big-endian) of SHA-256(name || '\n' || 0x01 || key). */
    public static int keyHash(String name, byte[] rawPublicKey) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] input = new byte[n.length + 2 + rawPublicKey.length];
        System.arraycopy(n, 0, input, 0, n.length);
        input[n.length] = '\n';
        input[n.length + 1] = ALG_ED25519;
        System.arraycopy(rawPublicKey, 0, input, n.length + 2, rawPublicKey.length);
        byte[] h = Hashing.sha256(input);
        return ((h[0] & 0xff) << 24) | ((h[1] & 0xff) << 16) | ((h[2] & 0xff) << 8) | (h[3] & 0xff);
    }

    @Override
    public byte[] rawPublicKey() {
        return rawPublicKey.clone();
    }

    public PublicKey publicKey() {
        return Ed25519Keys.publicFromRaw(rawPublicKey);
    }

    public String encoded() {
        byte[] key = new byte[33];
        key[0] = ALG_ED25519;
        System.arraycopy(rawPublicKey, 0, key, 1, 32);
        return name + "+" + hex(keyHash) + "+" + Base64.getEncoder().encodeToString(key);
    }

    /** True if this key made {@code signature} over {@code text}; false for any malformed input. */
    public boolean verifies(byte[] text, byte[] signature) {
        return Ed25519Engine.verifier(rawPublicKey).verify(text, signature);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NoteVerifierKey k && k.name.equals(name) && k.keyHash == keyHash
                && Arrays.equals(k.rawPublicKey, rawPublicKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, keyHash);
    }

    @Override
    public String toString() {
        return encoded();
    }

    /** Key names are non-empty and contain neither whitespace nor '+'. */
    static void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains("+")
                || name.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c))) {
            throw new IllegalArgumentException("key name must be non-empty, without spaces or '+': '" + name + "'");
        }
    }

    static String hex(int keyHash) {
        return HexFormat.of().toHexDigits(keyHash);
    }
}
