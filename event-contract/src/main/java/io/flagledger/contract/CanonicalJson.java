package io.flagledger.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.flagledger.contract.canonical.JcsSerializer;

/**
 * RFC 8785 JSON Canonicalization Scheme (JCS).
 *
 * <p>Numbers are handled as IEEE-754 doubles, as JCS requires: integers above 2^53 lose precision exactly
 * as they would in JavaScript, so store large identifiers as strings.
 */
public final class CanonicalJson {

    // Duplicate names are rejected because different parsers keep different duplicates, which would let
    // the signed and the displayed content of one document diverge.
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private CanonicalJson() {
    }

    /** Canonical UTF-8 bytes. */
    public static byte[] canonicalize(JsonNode node) {
        return JcsSerializer.serializeBytes(node);
    }

    /**
     * Parses then canonicalizes.
     *
     * @throws IllegalArgumentException on malformed JSON, duplicate member names, NaN/Infinity or numbers
     *                                  that overflow a double
     */
    public static byte[] canonicalize(String json) {
        return canonicalize(parseStrict(json));
    }

    public static String canonicalString(JsonNode node) {
        return JcsSerializer.serialize(node);
    }

    static JsonNode parseStrict(String json) {
        if (json == null || json.isBlank()) {
            throw new IllegalArgumentException("invalid JSON: input is empty");
        }
        try {
            return STRICT.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("invalid JSON: " + e.getOriginalMessage() + describe(e), e);
        }
    }

    private static String describe(JsonProcessingException e) {
        var loc = e.getLocation();
        return loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
    }
}
