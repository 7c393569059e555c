package io.flagledger.contract;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Objects;

/**
 * Detached signature carried inside an event.
 *
 * <ul>
 *   <li>Schema version 1: algorithm {@value #ED25519}, no {@code batch}; {@code value} is the Ed25519 signature over
 *       {@link EventJson#signingBytes}.</li>
 *   <li>Schema version 2: algorithm {@value #ED25519_BATCH} and a {@link Batch}; {@code value} is the Ed25519
 *       signature over the batch statement (key id, batch size and the RFC 6962 root of the batch's leaves, see
 *       {@link EventSigner#signBatch}), and {@code batch} is what leads from this event's leaf to that root.</li>
 * </ul>
 *
 * @param keyId     identifies the public key a verifier must use
 * @param algorithm {@value #ED25519} (version 1) or {@value #ED25519_BATCH} (version 2)
 * @param value     standard base64 of the raw 64-byte Ed25519 signature
 * @param batch     the event's place in its signed batch (version 2 only)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EventSignature(
        @JsonProperty("key_id") String keyId,
        @JsonProperty("algorithm") String algorithm,
        @JsonProperty("value") String value,
        @JsonProperty("batch") Batch batch) {

    public static final String ED25519 = "Ed25519";
    public static final String ED25519_BATCH = "Ed25519-batch";

    @JsonCreator
    public EventSignature {
    }

    /** A signature of one event (schema version 1). */
    public EventSignature(String keyId, String algorithm, String value) {
        this(keyId, algorithm, value, null);
    }

    /**
     * Where the event sits in the batch its signature covers: leaf {@code index} of {@code size}, and the RFC 9162
     * inclusion proof ({@code path}: standard base64 of 32-byte hashes, bottom-up) from its leaf to the batch root.
     * The root itself is not carried: the verifier computes it, so there is nothing to contradict.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Batch(
            @JsonProperty("size") Integer size,
            @JsonProperty("index") Integer index,
            @JsonProperty("path") List<String> path) {

        /** Most events one batch signature may cover: bounds the proof to 16 hashes and the signer's work. */
        public static final int MAX_SIZE = 65536;

        @JsonCreator
        public Batch {
            if (path != null) {
                if (path.stream().anyMatch(Objects::isNull)) {
                    throw new IllegalArgumentException("signature.batch.path must not contain null");
                }
                path = List.copyOf(path);
            }
        }
    }
}
