package io.flagledger.contract;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Ed25519KeysTest {

    // Generated with `openssl genpkey -algorithm ed25519`; key id from `openssl pkey -pubout -outform DER | sha256sum`.
    private static final String OPENSSL_PRIVATE = """
            -----BEGIN PRIVATE KEY-----
            MC4CAQAwBQYDK2VwBCIEIOuZBCtY6FamGX6HOEWFeXksdBayV2y9/Hn0kNqDadQt
            -----END PRIVATE KEY-----
            """;
    private static final String OPENSSL_PUBLIC = """
            -----BEGIN PUBLIC KEY-----
            MCowBQYDK2VwAyEANBllODeSru9Zj+vx5MMg8Zplg/lj5v/Zw2kNkyLyHSk=
            -----END PUBLIC KEY-----
            """;

    @Test
    void encodeDecodeRoundTrip() {
        KeyPair kp = Ed25519Keys.generate();
        PrivateKey priv = Ed25519Keys.decodePrivate(Ed25519Keys.encodePrivate(kp.getPrivate()));
        PublicKey pub = Ed25519Keys.decodePublic(Ed25519Keys.encodePublic(kp.getPublic()));
        assertArrayEquals(kp.getPrivate().getEncoded(), priv.getEncoded());
        assertArrayEquals(kp.getPublic().getEncoded(), pub.getEncoded());
        byte[] data = {1, 2, 3};
        byte[] sig = new EventSigner("k", priv).signRaw(data);
        assertTrue(new EventVerifier(Map.of("k", pub)).verifyRaw("k", data, sig));
    }

    @Test
    void acceptsOpensslPem() {
        PrivateKey priv = Ed25519Keys.decodePrivate(OPENSSL_PRIVATE);
        PublicKey pub = Ed25519Keys.decodePublic(OPENSSL_PUBLIC);
        assertEquals("7dd1d15888c9ebd1", Ed25519Keys.keyIdOf(pub));
        byte[] data = "pem".getBytes(StandardCharsets.UTF_8);
        EventVerifier v = EventVerifier.fromEncoded(Map.of("pem", OPENSSL_PUBLIC));
        assertTrue(v.verifyRaw("pem", data, new EventSigner("pem", priv).signRaw(data)));
        // PEM squeezed into one env-var line with literal "\n" separators.
        assertEquals(pub, Ed25519Keys.decodePublic(OPENSSL_PUBLIC.strip().replace("\n", "\\n")));
    }

    /** RFC 8032 §7.1 TEST 1: proves byte-level interoperability with other Ed25519 implementations. */
    @Test
    void rfc8032TestVector() {
        HexFormat hex = HexFormat.of();
        String pkcs8 = "302e020100300506032b657004220420" + "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
        String spki = "302a300506032b6570032100" + "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
        PrivateKey priv = Ed25519Keys.decodePrivate(Base64.getEncoder().encodeToString(hex.parseHex(pkcs8)));
        PublicKey pub = Ed25519Keys.decodePublic(Base64.getEncoder().encodeToString(hex.parseHex(spki)));
        byte[] sig = new EventSigner("rfc", priv).signRaw(new byte[0]);
        assertEquals("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555f"
                + "b8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b", hex.formatHex(sig));
        assertTrue(new EventVerifier(Map.of("rfc", pub)).verifyRaw("rfc", new byte[0], sig));
    }

    @Test
    void keyIdIsStableSixteenHexChars() {
        KeyPair kp = Ed25519Keys.generate();
        String id = Ed25519Keys.keyIdOf(kp.getPublic());
        assertTrue(id.matches("[0-9a-f]{16}"), id);
        assertEquals(id, Ed25519Keys.keyIdOf(Ed25519Keys.decodePublic(Ed25519Keys.encodePublic(kp.getPublic()))));
        assertEquals(Hashing.sha256Hex(kp.getPublic().getEncoded()).substring(0, 16), id);
    }

    @Test
    void rejectsGarbageWithClearMessages() {
        assertMessage(() -> Ed25519Keys.decodePrivate(null), "empty");
        assertMessage(() -> Ed25519Keys.decodePublic("  "), "empty");
        assertMessage(() -> Ed25519Keys.decodePublic("not base64!"), "neither PEM nor valid base64");
        assertMessage(() -> Ed25519Keys.decodePublic("AAAA"), "not an Ed25519 X.509 public key");
        assertMessage(() -> Ed25519Keys.decodePrivate(OPENSSL_PUBLIC), "expected a PEM 'PRIVATE KEY' block");
        assertMessage(() -> Ed25519Keys.decodePublic(OPENSSL_PRIVATE), "expected a PEM 'PUBLIC KEY' block");
        assertMessage(() -> Ed25519Keys.decodePublic("-----BEGIN PUBLIC KEY-----\nAAAA"), "malformed PEM");
        // A private key is not a public key even though both are valid base64 DER.
        String priv = Ed25519Keys.encodePrivate(Ed25519Keys.generate().getPrivate());
        assertMessage(() -> Ed25519Keys.decodePublic(priv), "not an Ed25519 X.509 public key");
        assertMessage(() -> EventVerifier.fromEncoded(Map.of("bad", "AAAA")), "trusted key 'bad'");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "'" + e.getMessage() + "' should contain '" + fragment + "'");
    }
}
