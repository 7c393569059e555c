package io.flagledger.audit.merkle;

import java.util.Base64;
import java.util.List;

/** Hashes travel as standard base64, as in C2SP checkpoints and the RFC 6962 test vectors. */
public final class Base64s {

    private Base64s() {
    }

    public static String of(byte[] hash) {
        return Base64.getEncoder().encodeToString(hash);
    }

    public static List<String> of(List<byte[]> hashes) {
        return hashes.stream().map(Base64s::of).toList();
    }
}
