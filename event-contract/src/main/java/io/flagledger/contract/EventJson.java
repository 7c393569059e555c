package io.flagledger.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.flagledger.contract.canonical.JcsSerializer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * JSON encoding of {@link AuditEvent}.
 *
 * <p>Signatures and ledger hashes are always computed over the canonical form of the <em>parsed record</em>,
 * never over received bytes. Consequences, by design:
 * <ul>
 *   <li>unknown JSON properties are ignored when parsing (so newer producers do not break older readers) and
 *       are therefore <em>not</em> covered by the signature; the JSON schema rejects them where that matters;</li>
 *   <li>formatting, member order, number spelling and explicit {@code null}s do not affect verification.</li>
 * </ul>
 * Parsing is otherwise strict: duplicate member names, trailing data and type coercions (e.g. a number where
 * a string is expected) are rejected.
 */
public final class EventJson {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.USE_DEFAULTS))
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .withCoercionConfig(LogicalType.Textual, cfg -> cfg
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    /**
     * Writes members in name order, so the canonical writer mostly finds them in order already (it orders them
     * anyway; the bytes do not depend on it).
     */
    private static final ObjectMapper SORTED = MAPPER.rebuild().enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY).build();

    /** Bound once: a mapper's readValue looks the root deserializer up on every call, a reader holds it. */
    private static final ObjectReader EVENT_READER = MAPPER.readerFor(AuditEvent.class);

    private EventJson() {
    }

    /** A fresh copy of the configured mapper (a copy, so callers cannot change how events are signed); cache it. */
    public static ObjectMapper mapper() {
        return MAPPER.copy();
    }

    /** Full event including signature, in canonical form (same bytes as {@link #canonicalBytes}). */
    public static String toJson(AuditEvent e) {
        return new String(canonicalBytes(e), StandardCharsets.UTF_8);
    }

    /** @throws InvalidEventException on malformed JSON, wrong types, or content that cannot be canonicalized */
    public static AuditEvent parse(String json) {
        if (json == null) {
            throw new InvalidEventException("invalid audit event: input is null");
        }
        return parse(json.getBytes(StandardCharsets.UTF_8));
    }

    public static AuditEvent parse(byte[] json) {
        return parseCanonical(json).event();
    }

    /**
     * A parsed event with the two RFC 8785 forms a consumer needs, both from one serialization: what the
     * producer signed ({@link #signingBytes}) and what a ledger stores and hashes ({@link #canonicalBytes}).
     */
    public record Parsed(AuditEvent event, byte[] canonical, byte[] signing) {
    }

    /** {@link #parse(byte[])}, keeping the canonical forms it computes anyway (one canonicalization, not three). */
    public static Parsed parseCanonical(byte[] json) {
        if (json == null || json.length == 0) {
            throw new InvalidEventException("invalid audit event: input is empty");
        }
        AuditEvent event;
        try {
            event = EVENT_READER.readValue(json);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("invalid audit event: " + e.getOriginalMessage() + where(e), e);
        } catch (IOException e) {
            throw new InvalidEventException("invalid audit event: " + e.getMessage(), e);
        }
        if (event == null) {
            throw new InvalidEventException("invalid audit event: expected a JSON object, got null");
        }
        JcsSerializer.Forms forms = forms(event);
        return new Parsed(event, forms.whole(), forms.without());
    }

    /**
     * The event's canonical forms with and without its "signature" member (null members are left out, so the second
     * is what withoutSignature() serializes to), from one serialization. Fails here, not later at verification, on
     * e.g. numbers overflowing a double.
     */
    private static JcsSerializer.Forms forms(AuditEvent event) {
        try (TokenBuffer tokens = tokens(event); JsonParser p = tokens.asParser()) {
            return JcsSerializer.serializeWithout(p, "signature");
        } catch (IOException | IllegalArgumentException e) {
            // Whatever the stream refused, the tree says where (or, should it accept it, serializes it).
        }
        try {
            return JcsSerializer.serializeWithout((ObjectNode) MAPPER.valueToTree(event), "signature");
        } catch (IllegalArgumentException e) {
            throw new InvalidEventException("invalid audit event: " + e.getMessage(), e);
        }
    }

    /**
     * The event as the tokens valueToTree() reads its tree from, to canonicalize as they stream without that tree
     * (the bytes are the same: both order members, and numbers are taken as doubles either way).
     */
    private static TokenBuffer tokens(AuditEvent event) throws IOException {
        TokenBuffer tokens = new TokenBuffer(SORTED, false);
        SORTED.writeValue(tokens, event);
        return tokens;
    }

    /** RFC 8785 bytes of the event without its signature: exactly what {@link EventSigner} signs. */
    public static byte[] signingBytes(AuditEvent e) {
        return canonicalBytes(Objects.requireNonNull(e, "event").withoutSignature());
    }

    /** RFC 8785 bytes of the full event including signature: what a ledger stores and hashes. */
    public static byte[] canonicalBytes(AuditEvent e) {
        Objects.requireNonNull(e, "event");
        try (TokenBuffer tokens = tokens(e); JsonParser p = tokens.asParser()) {
            return JcsSerializer.serializeBytes(p);
        } catch (IOException | IllegalArgumentException ex) {
            // The tree names where (or, should it accept the event, serializes it).
        }
        return CanonicalJson.canonicalize(MAPPER.valueToTree(e));
    }

    private static String where(JsonProcessingException e) {
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            StringBuilder path = new StringBuilder(" at $");
            for (JsonMappingException.Reference ref : m.getPath()) {
                if (ref.getFieldName() != null) {
                    path.append('.').append(ref.getFieldName());
                } else if (ref.getIndex() >= 0) {
                    path.append('[').append(ref.getIndex()).append(']');
                }
            }
            return path.toString();
        }
        var loc = e.getLocation();
        return loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
    }
}
