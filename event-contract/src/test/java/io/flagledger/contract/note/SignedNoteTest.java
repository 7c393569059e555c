package io.flagledger.contract.note;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.merkle.Checkpoint;
import io.flagledger.contract.merkle.MerkleHash;
import io.flagledger.contract.note.NoteVerificationException.Failure;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class SignedNoteTest {

    // The published example of golang.org/x/mod/sumdb/note (its package documentation and note_test.go).
    static final String GO_VERIFIER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    static final String GO_SIGNER_KEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    static final String GO_TEXT = "If you think cryptography is the answer to your problem,\n"
            + "then you don't know what your problem is.\n";
    static final String GO_NOTE = GO_TEXT + "\n"
            + "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

    @Test
    void publishedGoNoteVerifies() throws Exception {
        NoteVerifierKey key = NoteVerifierKey.parse(GO_VERIFIER_KEY);
        assertEquals("PeterNeumann", key.name());
        assertEquals(0xc74f20a3, key.keyHash());
        assertEquals(GO_VERIFIER_KEY, key.encoded());
        NoteVerifier.VerifiedNote opened = new NoteVerifier(List.of(key)).open(GO_NOTE);
        assertEquals(GO_TEXT, opened.text());
        assertEquals(List.of(key), opened.signedBy());
    }

    @Test
    void signingWithThePublishedSeedReproducesThePublishedNoteByteForByte() {
        PrivateKey seed = goPrivateKey();
        NoteSigner signer = new NoteSigner("PeterNeumann", seed);
        assertEquals(GO_VERIFIER_KEY, signer.verifierKey().encoded()); // so publicKeyOf derives the right key
        assertEquals(GO_NOTE, signer.sign(GO_TEXT)); // Ed25519 is deterministic (RFC 8032)
    }

    @Test
    void keyHashIsTheFirstFourBytesOfSha256OverNameNewlineAlgorithmAndKey() throws Exception {
        KeyPair pair = Ed25519Keys.generate();
        byte[] raw = Ed25519Keys.rawPublic(pair.getPublic());
        // Independently: hash the concatenation by hand, then read 4 big-endian bytes.
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update("flagledger.example/audit".getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0x0A);
        sha.update((byte) 0x01);
        sha.update(raw);
        byte[] digest = sha.digest();
        String expected = HexFormat.of().formatHex(Arrays.copyOf(digest, 4));
        NoteVerifierKey key = NoteVerifierKey.of("flagledger.example/audit", pair.getPublic());
        assertEquals(expected, String.format("%08x", key.keyHash()));
        assertTrue(key.encoded().startsWith("flagledger.example/audit+" + expected + "+"));
        byte[] material = Base64.getDecoder().decode(key.encoded().split("\\+", 3)[2]);
        assertEquals(33, material.length);
        assertEquals(1, material[0]);
        assertArrayEquals(raw, Arrays.copyOfRange(material, 1, 33));
        assertEquals(key, NoteVerifierKey.parse(key.encoded()));
        assertArrayEquals(pair.getPublic().getEncoded(), Ed25519Keys.publicKeyOf(pair.getPrivate()).getEncoded());
    }

    @Test
    void signedCheckpointRoundTrips() throws Exception {
        KeyPair pair = Ed25519Keys.generate();
        NoteSigner signer = new NoteSigner("flagledger.example/audit", pair.getPrivate());
        Checkpoint checkpoint = new Checkpoint("flagledger.example/audit", 42, MerkleHash.leaf(new byte[] {1}));
        String note = signer.sign(checkpoint.body());
        assertTrue(note.startsWith(checkpoint.body() + "\n\u2014 flagledger.example/audit "));
        NoteVerifier.VerifiedNote opened = new NoteVerifier(List.of(signer.verifierKey())).open(note);
        assertEquals(checkpoint, Checkpoint.parse(opened.text()));
    }

    @Test
    void alteredTextOrSignatureIsABadSignature() {
        NoteVerifier verifier = new NoteVerifier(List.of(NoteVerifierKey.parse(GO_VERIFIER_KEY)));
        assertFailure(Failure.BAD_SIGNATURE, () -> verifier.open(GO_NOTE.replace("cryptography", "cryptographY")));
        String sig = GO_NOTE.substring(GO_NOTE.lastIndexOf(' ') + 1, GO_NOTE.length() - 1);
        byte[] blob = Base64.getDecoder().decode(sig);
        blob[10] ^= 1;
        assertFailure(Failure.BAD_SIGNATURE, () -> verifier.open(GO_NOTE.replace(sig, Base64.getEncoder().encodeToString(blob))));
        byte[] shortBlob = Arrays.copyOf(Base64.getDecoder().decode(sig), 40);
        assertFailure(Failure.BAD_SIGNATURE, () -> verifier.open(GO_NOTE.replace(sig, Base64.getEncoder().encodeToString(shortBlob))));
    }

    @Test
    void noteSignedOnlyByUnknownKeysIsRejected() {
        NoteSigner other = new NoteSigner("someone-else", Ed25519Keys.generate().getPrivate());
        NoteVerifier verifier = new NoteVerifier(List.of(other.verifierKey()));
        NoteVerificationException e = assertFailure(Failure.UNKNOWN_KEY, () -> verifier.open(GO_NOTE));
        assertTrue(e.getMessage().contains("PeterNeumann+c74f20a3"), e.getMessage());
        // Same name, different key: the key hash differs, so it is unknown, not a bad signature.
        NoteSigner impostor = new NoteSigner("PeterNeumann", Ed25519Keys.generate().getPrivate());
        assertFailure(Failure.UNKNOWN_KEY, () -> new NoteVerifier(List.of(impostor.verifierKey())).open(GO_NOTE));
    }

    @Test
    void extraSignaturesByUnknownKeysAreIgnored() throws Exception {
        NoteSigner witness = new NoteSigner("witness", Ed25519Keys.generate().getPrivate());
        String cosigned = GO_NOTE + witness.signature(GO_TEXT).line();
        NoteVerifierKey go = NoteVerifierKey.parse(GO_VERIFIER_KEY);
        assertEquals(List.of(go), new NoteVerifier(List.of(go)).open(cosigned).signedBy());
        assertEquals(2, new NoteVerifier(List.of(go, witness.verifierKey())).open(cosigned).signedBy().size());
    }

    @Test
    void malformedNotesAreRejectedAsMalformed() {
        NoteVerifier verifier = new NoteVerifier(List.of(NoteVerifierKey.parse(GO_VERIFIER_KEY)));
        String sigLine = GO_NOTE.substring(GO_TEXT.length() + 1);
        for (String bad : List.of(
                GO_TEXT,                                            // no signatures
                GO_TEXT + sigLine,                                  // no blank line
                GO_NOTE.substring(0, GO_NOTE.length() - 1),         // last line not terminated
                GO_TEXT + "\n" + sigLine.replace("\u2014", "-"),    // hyphen, not an em dash
                GO_TEXT + "\n" + sigLine.replace("\u2014 ", "\u2014"),
                GO_TEXT + "\n" + sigLine.replace("PeterNeumann ", "Peter+Neumann "),
                GO_TEXT + "\n" + sigLine.replace("PeterNeumann ", "PeterNeumann  "),
                GO_TEXT + "\n" + sigLine.replace("x08go", "x08g!"),
                GO_TEXT + "\n\u2014 PeterNeumann AAAA\n",           // too short for hash and signature
                GO_TEXT + "\n" + sigLine + "\n",                    // empty line among signatures
                "text with a\u0007bell\n\n" + sigLine,
                GO_TEXT + "\n" + sigLine.repeat(101))) {
            assertFailure(Failure.MALFORMED, () -> verifier.open(bad), bad);
        }
        assertThrows(NoteVerificationException.class, () -> SignedNote.parse(new byte[] {'a', '\n', '\n', (byte) 0xC3}));
    }

    @Test
    void verifierKeysAreParsedStrictly() {
        for (String bad : List.of("PeterNeumann+c74f20a3", "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                "PeterNeumann+c74f20a3+AhpjMHYO3qLfsVkmqq/LDE4izWy10TW",
                "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                "PeterNeumann+c74f20a3+Ahpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")) {
            assertThrows(IllegalArgumentException.class, () -> NoteVerifierKey.parse(bad), bad);
        }
    }

    static PrivateKey goPrivateKey() {
        byte[] material = Base64.getDecoder().decode(GO_SIGNER_KEY.split("\\+", 5)[4]);
        assertEquals(1, material[0]); // algorithm byte: Ed25519
        return Ed25519Keys.privateFromSeed(Arrays.copyOfRange(material, 1, 33));
    }

    private static NoteVerificationException assertFailure(Failure failure, Executable call) {
        return assertFailure(failure, call, "");
    }

    private static NoteVerificationException assertFailure(Failure failure, Executable call, String input) {
        NoteVerificationException e = assertThrows(NoteVerificationException.class, call, input);
        assertEquals(failure, e.failure(), e.getMessage() + " for " + input);
        return e;
    }
}
