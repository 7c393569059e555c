package io.flagledger.audit.siem;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.contract.AuditEvent;
import java.util.Locale;

/** How a ledger entry is represented for a SIEM. */
public enum SiemFormat {

    /** The signed event exactly as in the ledger (verifiable downstream), with the ledger seq alongside. */
    EVENT {
        @Override
        public ObjectNode render(SiemRecord r) {
            ObjectNode out = MAPPER.createObjectNode().put("seq", r.seq()).put("received_at", r.receivedAt().toInstant().toString());
            try {
                out.set("event", MAPPER.readTree(r.canonicalJson())); // the stored bytes, not a re-serialisation
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return out;
        }
    },

    /** Elastic Common Schema 8.11. */
    ECS {
        @Override
        public ObjectNode render(SiemRecord r) {
            return EcsMapping.map(r);
        }
    },

    /** OCSF 1.3.0, class API Activity (6003): see {@link OcsfMapping} for why that class. */
    OCSF {
        @Override
        public ObjectNode render(SiemRecord r) {
            return OcsfMapping.map(r);
        }
    };

    static final ObjectMapper MAPPER = new ObjectMapper();

    public abstract ObjectNode render(SiemRecord r);

    public static SiemFormat of(String name, String property) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(property + " must be event, ecs or ocsf, not '" + name + "'");
        }
    }

    /** A short human line, used as ECS/OCSF {@code message}. */
    static String summary(AuditEvent e) {
        StringBuilder s = new StringBuilder(e.actorName() != null ? e.actorName() : e.actorId()).append(' ').append(e.action());
        if (e.flagId() != null) {
            s.append(' ').append(e.project() == null ? "" : e.project() + "/").append(e.flagId());
        }
        if (e.environment() != null) {
            s.append(" in ").append(e.environment());
        }
        if (e.reason() != null) {
            s.append(": ").append(e.reason());
        }
        return s.toString();
    }

    /** Only literal addresses become ECS/OCSF ip fields (SIEMs reject anything else there). */
    static boolean isIp(String address) {
        return address != null && (address.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}") || address.matches("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*"));
    }

    static void putIfPresent(ObjectNode node, String field, JsonNode value) {
        if (value != null) {
            node.set(field, value);
        }
    }
}
