package io.flagledger.audit.siem;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Channel;
import io.flagledger.contract.Ed25519Keys;
import io.flagledger.contract.EventJson;
import io.flagledger.contract.EventSigner;
import io.flagledger.contract.RequestMetadata;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class SiemFormatTest {

    private final AuditEvent event = new EventSigner("k1", Ed25519Keys.generate().getPrivate()).sign(AuditEvent.builder()
            .timestamp(Instant.parse("2026-11-25T10:15:30.123456Z"))
            .action("flag.created").actorId("svc-1").actorType(ActorType.SERVICE).actorName("ci \"bot\"]")
            .actorRoles(List.of("automation")).sourceService("flag-api").project("shop").flagId("checkout")
            .newState(JsonNodeFactory.instance.objectNode().put("enabled", true)).correlationId("c\\1]")
            .request(new RequestMetadata("curl", "not-an-ip", Channel.CI)).build());
    private final SiemRecord record = new SiemRecord(42, OffsetDateTime.parse("2026-11-25T10:15:31Z"), event, EventJson.toJson(event));

    @Test
    void rfc5424FrameIsOctetCountedWithEscapedStructuredData() {
        byte[] frame = Rfc5424.frame(record, "host one", "flagledger-audit", "flagledger@32473", "{\"a\":1}");
        String text = new String(frame, StandardCharsets.UTF_8);
        int space = text.indexOf(' ');
        int length = Integer.parseInt(text.substring(0, space));
        assertThat(length).isEqualTo(frame.length - space - 1);
        assertThat(text.substring(space + 1)).startsWith("<109>1 2026-11-25T10:15:30.123456Z host_one flagledger-audit - flag.created "
                + "[flagledger@32473 seq=\"42\" event_id=\"" + event.eventId() + "\" correlation_id=\"c\\\\1\\]\" actor=\"svc-1\" "
                + "source=\"flag-api\"] \uFEFF{\"a\":1}");
    }

    @Test
    void ocsfIsApiActivityWithTheVerbAsActivity() {
        JsonNode o = SiemFormat.OCSF.render(record);
        assertThat(o.path("class_uid").asInt()).isEqualTo(6003);
        assertThat(o.path("activity_id").asInt()).isEqualTo(1);
        assertThat(o.path("type_uid").asLong()).isEqualTo(600301);
        assertThat(o.path("time").asLong()).isEqualTo(event.timestamp().toEpochMilli());
        assertThat(o.path("actor").path("user").path("type_id").asInt()).isEqualTo(3);
        assertThat(o.path("metadata").path("sequence").asLong()).isEqualTo(42);
        assertThat(o.path("resources").path(0).path("data").path("new_state").path("enabled").asBoolean()).isTrue();
        assertThat(o.has("src_endpoint")).as("only literal IPs").isFalse();
        assertThat(OcsfMapping.activity("legal_hold.lifted")).isEqualTo(4);
        assertThat(OcsfMapping.activity("flag.toggled")).isEqualTo(3);
        assertThat(OcsfMapping.activity("audit.exported")).isEqualTo(2);
    }

    @Test
    void eventFormatCarriesTheSignedEventAsStored() {
        JsonNode e = SiemFormat.EVENT.render(record);
        assertThat(e.path("seq").asLong()).isEqualTo(42);
        assertThat(EventJson.parse(e.path("event").toString())).isEqualTo(event);
        assertThat(e.path("event").path("signature").path("key_id").asText()).isEqualTo("k1");
    }

    @Test
    void ecsPutsFlagFieldsUnderTheVendorObject() {
        JsonNode e = SiemFormat.ECS.render(record);
        assertThat(e.path("@timestamp").asText()).isEqualTo("2026-11-25T10:15:30.123456Z");
        assertThat(e.path("event").path("sequence").asLong()).isEqualTo(42);
        assertThat(e.path("event").path("type").path(0).asText()).isEqualTo("change");
        assertThat(e.path("user").path("roles").path(0).asText()).isEqualTo("automation");
        assertThat(e.path("flagledger").path("channel").asText()).isEqualTo("ci");
        assertThat(e.path("flagledger").path("actor_type").asText()).isEqualTo("service");
        assertThat(e.has("source")).isFalse();
    }
}
