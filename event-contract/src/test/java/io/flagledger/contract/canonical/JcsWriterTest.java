package io.flagledger.contract.canonical;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JcsWriterTest {

    @Test
    void writesWhatTheTreeSerializerWrites() throws Exception {
        JcsSerializer.Writer w = new JcsSerializer.Writer().beginObject()
                .name("a").beginArray().string("x").number(1.5).beginObject().endObject().beginArray().endArray().endArray()
                .name("b").tree(new ObjectMapper().readTree("{\"z\":1,\"y\":[true,null]}"))
                .name("c").beginObject().name("d").number(1e21).name("e").string("\u00e9\n\"").endObject()
                .endObject();
        String expected = "{\"a\":[\"x\",1.5,{},[]],\"b\":{\"y\":[true,null],\"z\":1},\"c\":{\"d\":1e+21,\"e\":\"\u00e9\\n\\\"\"}}";
        assertArrayEquals(expected.getBytes(StandardCharsets.UTF_8), w.toArray());
        assertArrayEquals(JcsSerializer.serializeBytes(new ObjectMapper().readTree(expected)), w.toArray());
    }

    @Test
    void refusesMembersOutOfCanonicalOrder() {
        JcsSerializer.Writer w = new JcsSerializer.Writer().beginObject().name("b").number(1);
        assertThrows(IllegalStateException.class, () -> w.name("a"));
        assertThrows(IllegalStateException.class, () -> w.name("b"));
        // Order is per object: a nested object starts afresh.
        new JcsSerializer.Writer().beginObject().name("b").beginObject().name("a").number(1).endObject().name("c").number(2);
    }

    @Test
    void namesWhereAValueCannotBeWritten() {
        JcsSerializer.Writer w = new JcsSerializer.Writer().beginObject().name("outer").beginObject().name("inner");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.string("\ud800"));
        assertTrue(e.getMessage().contains("at $.outer.inner"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> w.number(Double.NaN));
        assertTrue(e.getMessage().contains("at $.outer.inner"), e.getMessage());
    }

    @Test
    void cutsOneMemberAndItsComma() {
        JcsSerializer.Writer w = new JcsSerializer.Writer().beginObject().name("a").number(1);
        int from = w.size();
        w.name("b").beginObject().name("k").string("v").endObject();
        int to = w.size();
        w.name("c").number(3).endObject();
        JcsSerializer.Forms forms = w.cut(from, to);
        assertEquals("{\"a\":1,\"b\":{\"k\":\"v\"},\"c\":3}", new String(forms.whole(), StandardCharsets.UTF_8));
        assertEquals("{\"a\":1,\"c\":3}", new String(forms.without(), StandardCharsets.UTF_8));
    }
}
