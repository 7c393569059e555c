package io.flagledger.contract;

import io.flagledger.contract.merkle.MerkleHash;
import io.flagledger.contract.merkle.ProofVerificationException;
import io.flagledger.contract.merkle.ProofVerifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The batch signature's statement and the shape rules of {@link EventSignature.Batch}, in one place for
 * {@link EventSigner}, {@link EventVerifier} and {@link EventValidator}.
 */
final class BatchProofs {

    /** First line of every batch statement: the domain, so the bytes can mean nothing else. */
    static final String STATEMENT_DOMAIN = "flagledger/event-batch/v1";

    private BatchProofs() {
    }

    /** UTF-8 of {@code domain \n key_id \n size \n base64(root) \n}: what one batch signature signs. */
    static byte[] statement(String keyId, int size, byte[] root) {
        return (STATEMENT_DOMAIN + "\n" + keyId + "\n" + size + "\n" + Base64.getEncoder().encodeToString(root) + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The first rule {@code batch} breaks, as {@code signature.batch...: message}, or null: 1 ≤ size ≤
     * {@link EventSignature.Batch#MAX_SIZE}, 0 ≤ index < size, a path of exactly the RFC 9162 length for (index,
     * size) whose elements are canonical standard base64 of 32 bytes (one valid event has one ledger hash).
     */
    static String problem(EventSignature.Batch batch) {
        return problem(batch, null);
    }

    /** {@link #problem(EventSignature.Batch)}, adding the path's hashes to {@code decoded} (if not null) as it checks them. */
    private static String problem(EventSignature.Batch batch, List<byte[]> decoded) {
        if (batch.size() == null) {
            return "signature.batch.size: is required";
        }
        int size = batch.size();
        if (size < 1 || size > EventSignature.Batch.MAX_SIZE) {
            return "signature.batch.size: must be between 1 and " + EventSignature.Batch.MAX_SIZE + ", got " + size;
        }
        if (batch.index() == null) {
            return "signature.batch.index: is required";
        }
        int index = batch.index();
        if (index < 0 || index >= size) {
            return "signature.batch.index: must be at least 0 and below the size " + size + ", got " + index;
        }
        if (batch.path() == null) {
            return "signature.batch.path: is required";
        }
        int expected = ProofVerifier.inclusionProofLength(index, size);
        if (batch.path().size() != expected) {
            return "signature.batch.path: leaf " + index + " of a batch of " + size + " needs " + expected
                    + " hashes, got " + batch.path().size();
        }
        for (int i = 0; i < expected; i++) {
            byte[] hash = decodeHash(batch.path().get(i));
            if (hash == null) {
                return "signature.batch.path[" + i + "]: must be canonical standard base64 of " + MerkleHash.SIZE + " bytes";
            }
            if (decoded != null) {
                decoded.add(hash);
            }
        }
        return null;
    }

    /**
     * The root the batch proof leads to from the event's signing bytes.
     *
     * @throws IllegalArgumentException when {@link #problem} is not null
     */
    static byte[] root(EventSignature.Batch batch, byte[] signingBytes) {
        // Checked and decoded in one pass: a verifier pays this for every event of a batch.
        List<byte[]> path = new ArrayList<>(batch.path() == null ? 0 : batch.path().size());
        String problem = problem(batch, path);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        try {
            return ProofVerifier.rootFromInclusion(batch.index(), batch.size(), MerkleHash.leaf(signingBytes), path);
        } catch (ProofVerificationException e) {
            throw new IllegalStateException("a well-formed batch proof always leads to a root", e);
        }
    }

    /** The 32 bytes, or null unless {@code text} is their canonical standard base64 (44 characters, zero pad bits). */
    private static byte[] decodeHash(String text) {
        if (text.length() != 44) {
            return null;
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
        // 32 bytes leave 2 pad bits in the last character: canonical only if they are zero (what re-encoding would
        // give), checked without re-encoding, since a verifier decodes every hash of every event's path.
        return raw.length == MerkleHash.SIZE && ZERO_PAD_BITS.indexOf(text.charAt(42)) >= 0 ? raw : null;
    }

    /** The base64 characters whose value is a multiple of 4. */
    private static final String ZERO_PAD_BITS = "AEIMQUYcgkosw048";
}
