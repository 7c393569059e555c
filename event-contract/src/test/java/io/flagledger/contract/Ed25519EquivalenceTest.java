package io.flagledger.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The switch from the JDK's Ed25519 to {@link Ed25519Engine} (BouncyCastle) must not accept any signature the JDK
 * rejected. Both run over every Wycheproof EdDSA vector and every "Taming the many EdDSAs" edge case
 * (src/test/resources/ed25519, copied from /work/shared/testdata/ed25519).
 */
class Ed25519EquivalenceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();

    /** The rule before the switch: 64 bytes (EventVerifier and NoteVerifierKey checked it), then the JDK's verify. */
    static boolean jdk(byte[] rawKey, byte[] msg, byte[] sig) {
        if (sig.length != 64) {
            return false;
        }
        try {
            PublicKey key = Ed25519Keys.publicFromRaw(rawKey);
            Signature s = Signature.getInstance(Ed25519Keys.ALGORITHM);
            s.initVerify(key);
            s.update(msg);
            return s.verify(sig);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    static boolean engine(byte[] rawKey, byte[] msg, byte[] sig) {
        return Ed25519Engine.verifier(rawKey).verify(msg, sig);
    }

    @Test
    void wycheproofVerdictsAreTheExpectedOnesForBoth() throws Exception {
        JsonNode file = read("wycheproof_ed25519_test.json");
        int checked = 0;
        List<String> wrong = new ArrayList<>();
        for (JsonNode group : file.get("testGroups")) {
            byte[] key = HEX.parseHex(group.get("publicKey").get("pk").asText());
            for (JsonNode t : group.get("tests")) {
                byte[] msg = HEX.parseHex(t.get("msg").asText());
                byte[] sig = HEX.parseHex(t.get("sig").asText());
                boolean expected = switch (t.get("result").asText()) {
                    case "valid" -> true;
                    case "invalid" -> false;
                    default -> throw new AssertionError("no verdict for tcId " + t.get("tcId") + ": " + t.get("result"));
                };
                boolean jdk = jdk(key, msg, sig);
                boolean engine = engine(key, msg, sig);
                if (jdk != expected || engine != expected) {
                    wrong.add("tcId " + t.get("tcId") + " (" + t.get("comment").asText() + "): expected " + expected
                            + ", jdk " + jdk + ", engine " + engine);
                }
                checked++;
            }
        }
        assertThat(wrong).isEmpty();
        assertEquals(file.get("numberOfTests").asInt(), checked);
        assertEquals(151, checked);
    }

    /**
     * The twelve edge cases, with the verdict each side gives. The engine is never more lenient than the JDK; it is
     * stricter on 0-3, whose public key has a small-order component (0, 1: small order; 2, 3: mixed order). No
     * honest key is such a point (a key is [a]B, of prime order), so no signature of a real producer changes verdict.
     * 4 and 5 pass BouncyCastle's cofactored equation but not the JDK's: the prime-order checks on A and R keep them out.
     */
    @Test
    void speccheckCasesAreNeverAcceptedByTheEngineAloneAndMatchTheTable() throws Exception {
        JsonNode cases = read("speccheck_cases.json");
        assertEquals(12, cases.size());
        Map<Integer, String> expected = new TreeMap<>();
        Map<Integer, String> actual = new TreeMap<>();
        for (int i = 0; i < cases.size(); i++) {
            JsonNode c = cases.get(i);
            byte[] key = HEX.parseHex(c.get("pub_key").asText());
            byte[] msg = HEX.parseHex(c.get("message").asText());
            byte[] sig = HEX.parseHex(c.get("signature").asText());
            boolean jdk = jdk(key, msg, sig);
            boolean engine = engine(key, msg, sig);
            actual.put(i, "jdk " + jdk + ", engine " + engine);
            expected.put(i, "jdk " + (i <= 3) + ", engine false");
            assertThat(!engine || jdk).as("case %d: accepted by the engine only", i).isTrue();
        }
        assertEquals(expected, actual);
    }

    @Test
    void signaturesAreByteIdenticalToTheJdksAndEachSideAcceptsTheOthers() throws Exception {
        Random random = new Random(8032);
        for (int i = 0; i < 50; i++) {
            KeyPair pair = Ed25519Keys.generate();
            byte[] msg = new byte[random.nextInt(600)];
            random.nextBytes(msg);
            Signature jdk = Signature.getInstance(Ed25519Keys.ALGORITHM);
            jdk.initSign(pair.getPrivate());
            jdk.update(msg);
            byte[] expected = jdk.sign();
            Ed25519Engine.Signer signer = Ed25519Engine.signer(pair.getPrivate());
            byte[] sig = signer.sign(msg);
            assertArrayEquals(expected, sig);
            assertArrayEquals(Ed25519Keys.rawPublic(pair.getPublic()), signer.rawPublicKey());
            byte[] raw = Ed25519Keys.rawPublic(pair.getPublic());
            assertThat(engine(raw, msg, sig)).isTrue();
            // Any single flipped bit of signature or message: both reject.
            byte[] badSig = sig.clone();
            badSig[random.nextInt(64)] ^= (byte) (1 << random.nextInt(8));
            assertThat(engine(raw, msg, badSig)).isFalse();
            assertThat(jdk(raw, msg, badSig)).isFalse();
            if (msg.length > 0) {
                byte[] badMsg = msg.clone();
                badMsg[random.nextInt(msg.length)] ^= 1;
                assertThat(engine(raw, badMsg, sig)).isFalse();
                assertThat(jdk(raw, badMsg, sig)).isFalse();
            }
        }
    }

    private static JsonNode read(String name) throws Exception {
        try (InputStream in = Ed25519EquivalenceTest.class.getResourceAsStream("/ed25519/" + name)) {
            assertThat(in).as("test vectors /ed25519/" + name).isNotNull();
            return JSON.readTree(in);
        }
    }
}
