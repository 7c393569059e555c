package io.flagledger.audit.siem;

import io.flagledger.contract.AuditEvent;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;

/**
 * RFC 5424 syslog messages with RFC 6587/5425 octet-counting framing ({@code LEN SP MSG}), so a message may
 * contain newlines and a receiver never splits or merges records. Facility 13 (log audit); severity notice, or
 * warning for a refused access. The MSG is UTF-8 with the BOM RFC 5424 asks for.
 */
final class Rfc5424 {

    private static final int FACILITY_LOG_AUDIT = 13;
    private static final int NOTICE = 5;
    private static final int WARNING = 4;
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX")
            .withZone(ZoneOffset.UTC);

    private Rfc5424() {
    }

    static byte[] frame(SiemRecord r, String hostname, String appName, String sdId, String msg) {
        AuditEvent e = r.event();
        int severity = e.action().endsWith(".denied") ? WARNING : NOTICE;
        String header = "<" + (FACILITY_LOG_AUDIT * 8 + severity) + ">1 " + TIMESTAMP.format(e.timestamp()) + " "
                + token(hostname, 255) + " " + token(appName, 48) + " - " + token(e.action(), 32) + " "
                + "[" + token(sdId, 32) + param("seq", Long.toString(r.seq())) + param("event_id", e.eventId())
                + param("correlation_id", e.correlationId()) + param("actor", e.actorId())
                + param("source", e.sourceService()) + "] ";
        byte[] head = header.getBytes(StandardCharsets.UTF_8);
        byte[] body = msg.getBytes(StandardCharsets.UTF_8);
        int length = head.length + BOM.length + body.length;
        byte[] prefix = (length + " ").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[prefix.length + length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(head, 0, out, prefix.length, head.length);
        System.arraycopy(BOM, 0, out, prefix.length + head.length, BOM.length);
        System.arraycopy(body, 0, out, prefix.length + head.length + BOM.length, body.length);
        return out;
    }

    /** Header fields are printable US-ASCII without spaces; anything else becomes '_' ("-" when empty). */
    static String token(String value, int max) {
        if (value == null || value.isEmpty()) {
            return "-";
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < value.length() && s.length() < max; i++) {
            char c = value.charAt(i);
            s.append(c > 32 && c < 127 && c != '=' && c != ']' && c != '"' ? c : '_');
        }
        return s.toString();
    }

    /** SD-PARAM with the three characters RFC 5424 requires escaped inside PARAM-VALUE. */
    static String param(String name, String value) {
        if (value == null) {
            return "";
        }
        return " " + name + "=\"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("]", "\\]") + "\"";
    }
}
