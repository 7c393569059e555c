package io.flagledger.common.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.junit.jupiter.api.Test;

class SchemaExamplesTest {

    private static Schema type(Schema.SchemaType type) {
        return OASFactory.createSchema().addType(type);
    }

    @Test
    void buildsAnObjectFromReferencedSchemasFormatsEnumsAndNullableTypes() {
        Components components = OASFactory.createComponents()
                .addSchema("Variation", type(Schema.SchemaType.OBJECT)
                        .addProperty("name", type(Schema.SchemaType.STRING))
                        .addProperty("weight", type(Schema.SchemaType.INTEGER)));
        Schema flag = type(Schema.SchemaType.OBJECT)
                .addProperty("key", OASFactory.createSchema().addType(Schema.SchemaType.STRING).example("new-checkout"))
                .addProperty("risk", type(Schema.SchemaType.STRING).enumeration(List.of("high", "low")))
                .addProperty("updatedAt", OASFactory.createSchema().addType(Schema.SchemaType.STRING)
                        .addType(Schema.SchemaType.NULL).format("date-time"))
                .addProperty("variations", type(Schema.SchemaType.ARRAY)
                        .items(OASFactory.createSchema().ref("#/components/schemas/Variation")));

        assertThat(SchemaExamples.of(flag, components)).isEqualTo(Map.of(
                "key", "new-checkout",
                "risk", "high",
                "updatedAt", "2026-01-01T12:00:00Z",
                "variations", List.of(Map.of("name", "string", "weight", 1))));
    }

    @Test
    void aSelfReferencingSchemaEndsAndAnUnknownOneHasNoExample() {
        Components components = OASFactory.createComponents().addSchema("Node", type(Schema.SchemaType.OBJECT)
                .addProperty("child", OASFactory.createSchema().ref("#/components/schemas/Node")));
        Object example = SchemaExamples.of(OASFactory.createSchema().ref("#/components/schemas/Node"), components);
        int depth = 0;
        while (example instanceof Map<?, ?> map && map.containsKey("child")) {
            example = map.get("child");
            depth++;
        }
        assertThat(depth).isLessThanOrEqualTo(SchemaExamples.MAX_DEPTH);
        assertThat(SchemaExamples.of(OASFactory.createSchema().ref("#/components/schemas/Missing"), components)).isNull();
        assertThat(SchemaExamples.of(OASFactory.createSchema(), components)).isNull();
    }
}
