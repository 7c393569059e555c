package io.flagledger.contract;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Structural checks on an event envelope (not the signature; see {@link EventVerifier}). Every violation starts
 * with the JSON field name, so messages can be shown to API clients as they are.
 */
public final class EventValidator {

    public static final Set<Integer> SUPPORTED_SCHEMA_VERSIONS = Set.of(AuditEvent.SCHEMA_VERSION,
            AuditEvent.SCHEMA_VERSION_BATCH);
    public static final int MAX_ID_LENGTH = 256;
    public static final int MAX_REASON_LENGTH = 2000;
    public static final int MAX_USER_AGENT_LENGTH = 1024;
    /**
     * Largest signed event, as its canonical UTF-8 JSON. Kafka's default {@code max.message.bytes} is 1 MiB
     * (1,048,588); half of it leaves room for the record's key, headers and batch overhead and for the producer's
     * own {@code max.request.size}, so an event the contract accepts is always sendable. Producers check it before
     * the outbox (a change whose event would be larger is refused), consumers check the record they received.
     */
    public static final int MAX_EVENT_BYTES = 512 * 1024;
    /** Messages reported per event at most: enough to name the fields, bounded for a hostile payload. */
    private static final int MAX_MESSAGES = 20;

    /** What an action looks like, as the JSON schema spells it; {@link #isAction} checks it without a regex. */
    static final String ACTION = "^[a-z][a-z0-9_.-]{0,63}$";
    /** What an event id looks like, as the JSON schema spells it; {@link #isUuidV7} checks it without a regex. */
    static final String UUID_V7 =
            "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-7[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$";

    private EventValidator() {
    }

    /** Empty list means valid. */
    public static List<String> violations(AuditEvent e) {
        List<String> out = new ArrayList<>();
        if (e == null) {
            out.add("event: must not be null");
            return out;
        }
        if (!SUPPORTED_SCHEMA_VERSIONS.contains(e.schemaVersion())) {
            out.add("schema_version: unsupported version " + e.schemaVersion() + ", supported "
                    + new TreeSet<>(SUPPORTED_SCHEMA_VERSIONS));
        }
        if (required(out, "event_id", e.eventId()) && !isUuidV7(e.eventId())) {
            out.add("event_id: must be a UUIDv7 (RFC 9562), got '" + abbreviate(e.eventId()) + "'");
        }
        if (e.timestamp() == null) {
            out.add("timestamp: is required");
        }
        required(out, "actor_id", e.actorId());
        if (e.actorType() == null) {
            out.add("actor_type: is required");
        }
        optional(out, "actor_name", e.actorName(), MAX_ID_LENGTH);
        optional(out, "actor_email", e.actorEmail(), MAX_ID_LENGTH);
        if (e.actorRoles() != null) {
            for (String role : e.actorRoles()) {
                if (role.isBlank() || length(role) > MAX_ID_LENGTH) {
                    out.add("actor_roles: each role must be non-blank and at most " + MAX_ID_LENGTH + " characters");
                    break;
                }
            }
        }
        required(out, "source_service", e.sourceService());
        if (required(out, "action", e.action()) && !isAction(e.action())) {
            out.add("action: must match " + ACTION + ", got '" + abbreviate(e.action()) + "'");
        }
        optional(out, "project", e.project(), MAX_ID_LENGTH);
        optional(out, "flag_id", e.flagId(), MAX_ID_LENGTH);
        optional(out, "environment", e.environment(), MAX_ID_LENGTH);
        required(out, "correlation_id", e.correlationId());
        optional(out, "reason", e.reason(), MAX_REASON_LENGTH);
        if (e.request() != null) {
            optional(out, "request.user_agent", e.request().userAgent(), MAX_USER_AGENT_LENGTH);
            optional(out, "request.client_address", e.request().clientAddress(), MAX_ID_LENGTH);
        }
        checkSignature(out, e.schemaVersion(), e.signature());
        checkText(out, e);
        return out;
    }

    /** The violations of {@link #violations(AuditEvent)} plus the size of the event's canonical JSON form. */
    public static List<String> violations(AuditEvent e, int canonicalBytes) {
        List<String> out = violations(e);
        if (canonicalBytes > MAX_EVENT_BYTES) {
            out.add("event: its canonical JSON is " + canonicalBytes + " bytes, more than " + MAX_EVENT_BYTES);
        }
        return out;
    }

    /** Every string of the event obeys {@link SafeText}; ids and other single-line values have no control character. */
    private static void checkText(List<String> out, AuditEvent e) {
        line(out, "event_id", e.eventId());
        line(out, "actor_id", e.actorId());
        line(out, "actor_name", e.actorName());
        line(out, "actor_email", e.actorEmail());
        if (e.actorRoles() != null) {
            for (int i = 0; i < e.actorRoles().size(); i++) {
                String v = SafeText.lineViolation(e.actorRoles().get(i));
                if (v != null && out.size() < MAX_MESSAGES) {
                    out.add("actor_roles[" + i + "]: " + v);
                }
            }
        }
        line(out, "source_service", e.sourceService());
        line(out, "project", e.project());
        line(out, "flag_id", e.flagId());
        line(out, "environment", e.environment());
        line(out, "correlation_id", e.correlationId());
        text(out, "reason", e.reason());
        if (e.request() != null) {
            line(out, "request.user_agent", e.request().userAgent());
            line(out, "request.client_address", e.request().clientAddress());
        }
        if (e.signature() != null) {
            line(out, "signature.key_id", e.signature().keyId());
        }
        SafeText.jsonViolations("previous_state", e.previousState(), out, MAX_MESSAGES);
        SafeText.jsonViolations("new_state", e.newState(), out, MAX_MESSAGES);
        SafeText.jsonViolations("scope", e.scope(), out, MAX_MESSAGES);
    }

    private static void line(List<String> out, String field, String value) {
        String v = SafeText.lineViolation(value);
        if (v != null && out.size() < MAX_MESSAGES) {
            out.add(field + ": " + v);
        }
    }

    private static void text(List<String> out, String field, String value) {
        String v = SafeText.violation(value);
        if (v != null && out.size() < MAX_MESSAGES) {
            out.add(field + ": " + v);
        }
    }

    /**
     * Version 1: algorithm {@value EventSignature#ED25519} and no batch; version 2: algorithm
     * {@value EventSignature#ED25519_BATCH} and a well-formed batch. For an unsupported version only the version is
     * reported: which signature it would need is unknown.
     */
    private static void checkSignature(List<String> out, int version, EventSignature sig) {
        if (sig == null) {
            out.add("signature: is required");
            return;
        }
        required(out, "signature.key_id", sig.keyId());
        if (SUPPORTED_SCHEMA_VERSIONS.contains(version)) {
            boolean batch = version == AuditEvent.SCHEMA_VERSION_BATCH;
            String algorithm = batch ? EventSignature.ED25519_BATCH : EventSignature.ED25519;
            if (!algorithm.equals(sig.algorithm())) {
                out.add("signature.algorithm: must be " + algorithm + " in schema version " + version + ", got '"
                        + abbreviate(sig.algorithm()) + "'");
            }
            if (!batch && sig.batch() != null) {
                out.add("signature.batch: is not allowed in schema version " + version);
            } else if (batch && sig.batch() == null) {
                out.add("signature.batch: is required in schema version " + version);
            } else if (batch) {
                String problem = BatchProofs.problem(sig.batch());
                if (problem != null) {
                    out.add(problem);
                }
            }
        }
        if (sig.value() == null || sig.value().isBlank()) {
            out.add("signature.value: is required");
        }
    }

    /** {@link #ACTION}, checked per character (the check runs on every event a consumer admits). */
    static boolean isAction(String s) {
        int n = s.length();
        if (n < 1 || n > 64 || s.charAt(0) < 'a' || s.charAt(0) > 'z') {
            return false;
        }
        for (int i = 1; i < n; i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** {@link #UUID_V7}, checked per character. */
    static boolean isUuidV7(String s) {
        if (s.length() != 36 || s.charAt(14) != '7' || "89abAB".indexOf(s.charAt(19)) < 0) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = s.charAt(i);
            boolean hyphen = i == 8 || i == 13 || i == 18 || i == 23;
            if (hyphen ? c != '-' : !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
                return false;
            }
        }
        return true;
    }

    /** Records a violation and returns false when the value is missing, blank or too long. */
    private static boolean required(List<String> out, String field, String value) {
        if (value == null || value.isBlank()) {
            out.add(field + ": is required and must not be blank");
            return false;
        }
        return optional(out, field, value, MAX_ID_LENGTH);
    }

    private static boolean optional(List<String> out, String field, String value, int max) {
        if (value != null && length(value) > max) {
            out.add(field + ": must be at most " + max + " characters, got " + length(value));
            return false;
        }
        return true;
    }

    // Code points, matching JSON Schema's maxLength.
    private static int length(String s) {
        return s.codePointCount(0, s.length());
    }

    // Escaped: messages reach logs, problem details and the quarantine's reason column.
    private static String abbreviate(String s) {
        return s == null ? "null" : SafeText.escape(s.length() <= 80 ? s : s.substring(0, 80) + "...");
    }
}
