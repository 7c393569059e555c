package io.flagledger.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.flagledger.contract.canonical.JcsSerializer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

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

    private static final Map<Enum<?>, String> ENUM_NAMES = new ConcurrentHashMap<>();

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
     * e.g. a lone surrogate.
     */
    private static JcsSerializer.Forms forms(AuditEvent event) {
        try {
            JcsSerializer.Writer w = new JcsSerializer.Writer();
            int[] signature = write(event, w, true);
            return signature == null ? new JcsSerializer.Forms(w.toArray(), w.toArray())
                    : w.cut(signature[0], signature[1]);
        } catch (IllegalArgumentException e) {
            throw new InvalidEventException("invalid audit event: " + e.getMessage(), e);
        }
    }

    /** RFC 8785 bytes of the event without its signature: exactly what {@link EventSigner} signs. */
    public static byte[] signingBytes(AuditEvent e) {
        JcsSerializer.Writer w = new JcsSerializer.Writer();
        write(Objects.requireNonNull(e, "event"), w, false);
        return w.toArray();
    }

    /** RFC 8785 bytes of the full event including signature: what a ledger stores and hashes. */
    public static byte[] canonicalBytes(AuditEvent e) {
        JcsSerializer.Writer w = new JcsSerializer.Writer();
        write(Objects.requireNonNull(e, "event"), w, true);
        return w.toArray();
    }

    /**
     * Writes the event as the mapper serializes it, members in canonical order, without Jackson's serializers and a
     * token buffer in between (over a quarter of the verifier's time per event went there). The members and their
     * JSON names are the record's; {@code EventJsonTest} holds this against the mapper's tree for every member.
     *
     * @return where the signature member and the comma before it are, to cut out; null if the event has none
     */
    private static int[] write(AuditEvent e, JcsSerializer.Writer w, boolean withSignature) {
        w.beginObject();
        string(w, "action", e.action());
        string(w, "actor_email", e.actorEmail());
        string(w, "actor_id", e.actorId());
        string(w, "actor_name", e.actorName());
        if (e.actorRoles() != null) {
            w.name("actor_roles").beginArray();
            for (String role : e.actorRoles()) {
                w.string(role);
            }
            w.endArray();
        }
        string(w, "actor_type", jsonName(e.actorType()));
        string(w, "correlation_id", e.correlationId());
        string(w, "environment", e.environment());
        string(w, "event_id", e.eventId());
        string(w, "flag_id", e.flagId());
        tree(w, "new_state", e.newState());
        tree(w, "previous_state", e.previousState());
        string(w, "project", e.project());
        string(w, "reason", e.reason());
        RequestMetadata request = e.request();
        if (request != null) {
            w.name("request").beginObject();
            string(w, "channel", jsonName(request.channel()));
            string(w, "client_address", request.clientAddress());
            string(w, "user_agent", request.userAgent());
            w.endObject();
        }
        w.name("schema_version").number(e.schemaVersion()); // an int: always present, so the signature is never first
        tree(w, "scope", e.scope());
        int[] span = null;
        EventSignature signature = e.signature();
        if (withSignature && signature != null) {
            span = new int[] {w.size(), 0};
            w.name("signature").beginObject();
            string(w, "algorithm", signature.algorithm());
            EventSignature.Batch batch = signature.batch();
            if (batch != null) {
                w.name("batch").beginObject();
                number(w, "index", batch.index());
                if (batch.path() != null) {
                    w.name("path").beginArray();
                    for (String hash : batch.path()) {
                        w.string(hash);
                    }
                    w.endArray();
                }
                number(w, "size", batch.size());
                w.endObject();
            }
            string(w, "key_id", signature.keyId());
            string(w, "value", signature.value());
            w.endObject();
            span[1] = w.size();
        }
        string(w, "source_service", e.sourceService());
        if (e.timestamp() != null) {
            w.name("timestamp").string(EventTimestamps.format(e.timestamp()));
        }
        w.endObject();
        return span;
    }

    private static void string(JcsSerializer.Writer w, String name, String value) {
        if (value != null) {
            w.name(name).string(value);
        }
    }

    private static void number(JcsSerializer.Writer w, String name, Integer value) {
        if (value != null) {
            w.name(name).number(value);
        }
    }

    private static void tree(JcsSerializer.Writer w, String name, JsonNode value) {
        if (value != null) {
            w.name(name).tree(value);
        }
    }

    /** The name an enum constant has in JSON: its {@code @JsonProperty}. */
    private static String jsonName(Enum<?> constant) {
        return constant == null ? null : ENUM_NAMES.computeIfAbsent(constant, c -> {
            try {
                JsonProperty p = c.getDeclaringClass().getField(c.name()).getAnnotation(JsonProperty.class);
                return p != null ? p.value() : c.name();
            } catch (NoSuchFieldException ex) {
                throw new IllegalStateException(ex);
            }
        });
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
