package io.flagledger.approval.requests;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagledger.contract.CanonicalJson;
import io.flagledger.contract.EventValidator;
import io.flagledger.contract.SafeText;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * What approval-service accepts from a client, in one place: the API's {@link Carriable} constraint and the
 * console forms both ask here, so a value is refused at the edge (400/413, nothing written) rather than by the
 * event contract after the change request was stored.
 * <p>
 * The size budget, so that the largest event stays well under {@link EventValidator#MAX_EVENT_BYTES} (512 KiB):
 * the biggest events ({@code change_request.created} and {@code .revised}) carry the proposed config once as JSON
 * ({@code scope.proposed_config}, at most {@link #MAX_CONFIG_BYTES} canonical) and the diff, whose {@code after}
 * strings are the proposed values again as JSON text, at most twice as long once escaped (each {@code "} becomes
 * {@code \"}), and whose {@code before} strings are the previous config's values (flag-api's config, not ours):
 * 64 KiB + 2 x 64 KiB + 2 x 64 KiB (a previous config as big as ours) + paths + envelope (reason at most
 * 2,000 characters = 8 KiB of UTF-8, ids, signature: under 16 KiB) is about 336 KiB, leaving 35% margin. A previous
 * config larger than ours could still push an event over; {@link ChangeRequestEvents} measures every event before it
 * is written and refuses the request with 413 then ({@link #MAX_EVENT_BYTES}).
 */
public final class EdgeInput {

    /** Canonical (RFC 8785) bytes of a proposed config or segment definition: what its events carry. */
    public static final int MAX_CONFIG_BYTES = 64 * 1024;
    /** Elements of any one JSON array in a proposal (clause values, segment members). */
    public static final int MAX_ARRAY_ELEMENTS = 10_000;
    /** reason, comment: the event contract's reason limit. */
    public static final int MAX_TEXT_LENGTH = EventValidator.MAX_REASON_LENGTH;
    public static final int MAX_CORRELATION_LENGTH = 200;
    /** Query filters and other single-line values that never reach an event but do reach SQL. */
    public static final int MAX_LINE_LENGTH = EventValidator.MAX_ID_LENGTH;
    /**
     * An event approval-service writes may be at most this big (canonical, before signing): the contract's limit less
     * 32 KiB for the signature and for anything the envelope may still gain.
     */
    public static final int MAX_EVENT_BYTES = EventValidator.MAX_EVENT_BYTES - 32 * 1024;

    private EdgeInput() {
    }

    /** Why {@code value} is refused as free text (TAB, LF, CR allowed), or null. */
    public static String text(String value, int max) {
        return value == null ? null : value.length() > max ? "must be at most " + max + " characters"
                : SafeText.violation(value);
    }

    /** Why {@code value} is refused as a single-line value (no control character at all), or null. */
    public static String line(String value, int max) {
        return value == null ? null : value.length() > max ? "must be at most " + max + " characters"
                : SafeText.lineViolation(value);
    }

    /** Why a proposed config is refused, or null; the message starts with the JSON path under {@code field}. */
    public static String json(String field, JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        SafeText.jsonViolations(field, value, out, 1);
        if (out.isEmpty()) {
            hugeArray(field, value, out);
        }
        if (!out.isEmpty()) {
            return out.get(0);
        }
        int bytes = CanonicalJson.canonicalize(value).length;
        return bytes > MAX_CONFIG_BYTES ? field + ": is " + bytes + " bytes as canonical JSON, more than " + MAX_CONFIG_BYTES
                : null;
    }

    private static void hugeArray(String path, JsonNode node, List<String> out) {
        if (!out.isEmpty()) {
            return;
        }
        if (node.isArray()) {
            if (node.size() > MAX_ARRAY_ELEMENTS) {
                out.add(path + ": has " + node.size() + " elements, more than " + MAX_ARRAY_ELEMENTS);
                return;
            }
            for (int i = 0; i < node.size(); i++) {
                hugeArray(path + "[" + i + "]", node.get(i), out);
            }
        } else if (node.isObject()) {
            for (Iterator<java.util.Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                var member = it.next();
                hugeArray(path + "." + member.getKey(), member.getValue(), out);
            }
        }
    }
}
