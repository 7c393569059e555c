package io.flagledger.contract;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Ed25519 key generation and text encodings (JDK key objects; signing and verifying is {@link Ed25519Engine}). */
public final class Ed25519Keys {

    public static final String ALGORITHM = "Ed25519";
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);

    private Ed25519Keys() {
    }

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is unavailable in this JDK", e);
        }
    }

    /** Standard base64 of the PKCS#8 DER encoding. */
    public static String encodePrivate(PrivateKey k) {
        return Base64.getEncoder().encodeToString(Objects.requireNonNull(k, "private key").getEncoded());
    }

    /** Standard base64 of the X.509 SubjectPublicKeyInfo DER encoding. */
    public static String encodePublic(PublicKey k) {
        return Base64.getEncoder().encodeToString(Objects.requireNonNull(k, "public key").getEncoded());
    }

    /** Accepts base64 PKCS#8 DER or a PEM "PRIVATE KEY" block (as written by {@code openssl genpkey}). */
    public static PrivateKey decodePrivate(String base64) {
        byte[] der = der(base64, "PRIVATE KEY", "private");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("not an Ed25519 PKCS#8 private key: " + e.getMessage(), e);
        }
    }

    /** Accepts base64 SubjectPublicKeyInfo DER or a PEM "PUBLIC KEY" block. */
    public static PublicKey decodePublic(String base64) {
        byte[] der = der(base64, "PUBLIC KEY", "public");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("not an Ed25519 X.509 public key: " + e.getMessage(), e);
        }
    }

    /** First 16 hex characters of SHA-256 over the SPKI DER: stable across encodings of the same key. */
    public static String keyIdOf(PublicKey k) {
        return Hashing.sha256Hex(Objects.requireNonNull(k, "public key").getEncoded()).substring(0, 16);
    }

    private static final byte[] SPKI_PREFIX = java.util.HexFormat.of().parseHex("302a300506032b6570032100");
    private static final byte[] PKCS8_PREFIX = java.util.HexFormat.of().parseHex("302e020100300506032b657004220420");
    private static final int RAW_LENGTH = 32;

    /** The 32-byte RFC 8032 public key (what C2SP signed notes and most tooling carry). */
    public static byte[] rawPublic(PublicKey k) {
        byte[] der = Objects.requireNonNull(k, "public key").getEncoded();
        if (der.length != SPKI_PREFIX.length + RAW_LENGTH
                || !java.util.Arrays.equals(der, 0, SPKI_PREFIX.length, SPKI_PREFIX, 0, SPKI_PREFIX.length)) {
            throw new IllegalArgumentException("not an Ed25519 public key");
        }
        return java.util.Arrays.copyOfRange(der, SPKI_PREFIX.length, der.length);
    }

    /** Inverse of {@link #rawPublic}. */
    public static PublicKey publicFromRaw(byte[] raw) {
        return (PublicKey) fromDer(raw, SPKI_PREFIX, true);
    }

    /** A private key from its 32-byte RFC 8032 seed (e.g. a Go note signer key). */
    public static PrivateKey privateFromSeed(byte[] seed) {
        return (PrivateKey) fromDer(seed, PKCS8_PREFIX, false);
    }

    /** The public half of a private key (the JDK has no API for it; RFC 8032 derives it from the seed). */
    public static PublicKey publicKeyOf(PrivateKey k) {
        return publicFromRaw(Ed25519Engine.signer(k).rawPublicKey());
    }

    private static java.security.Key fromDer(byte[] raw, byte[] prefix, boolean isPublic) {
        if (raw == null || raw.length != RAW_LENGTH) {
            throw new IllegalArgumentException("a raw Ed25519 key is " + RAW_LENGTH + " bytes");
        }
        byte[] der = java.util.Arrays.copyOf(prefix, prefix.length + RAW_LENGTH);
        System.arraycopy(raw, 0, der, prefix.length, RAW_LENGTH);
        try {
            KeyFactory f = KeyFactory.getInstance(ALGORITHM);
            return isPublic ? f.generatePublic(new X509EncodedKeySpec(der)) : f.generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a valid Ed25519 key: " + e.getMessage(), e);
        }
    }

    private static byte[] der(String text, String pemType, String kind) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("Ed25519 " + kind + " key is empty");
        }
        String body = text.strip();
        if (body.contains("-----BEGIN")) {
            Matcher m = PEM.matcher(body);
            if (!m.find()) {
                throw new IllegalArgumentException("malformed PEM " + kind + " key: missing or mismatched END line");
            }
            if (!m.group(1).equals(pemType)) {
                throw new IllegalArgumentException("expected a PEM '" + pemType + "' block but found '"
                        + m.group(1) + "' (convert with: openssl pkey -in key.pem"
                        + ("PUBLIC KEY".equals(pemType) ? " -pubout" : "") + ")");
            }
            body = m.group(2);
        }
        // Tolerate line breaks and literal "\n" sequences, which is how PEM often arrives via env vars.
        body = body.replace("\\n", "").replaceAll("\\s+", "");
        try {
            return Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Ed25519 " + kind + " key is neither PEM nor valid base64: "
                    + e.getMessage(), e);
        }
    }
}
