package io.flagledger.flagapi.flags;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagledger.flagapi.evaluation.FlagModel.EnvironmentConfig;
import io.flagledger.flagapi.evaluation.FlagModel.FlagDefinition;
import io.flagledger.flagapi.evaluation.FlagModel.FlagType;
import io.flagledger.flagapi.evaluation.FlagModel.Variation;
import java.io.UncheckedIOException;
import io.flagledger.common.problem.Problem;
import java.util.List;

/** Converts between the stored JSON columns and the evaluation model. */
public final class FlagCodec {

    // Request content too (configs, segments): a number or boolean where a key belongs is a 400, not its spelling.
    private static final ObjectMapper JSON = io.flagledger.common.json.TextIsText.apply(new ObjectMapper().findAndRegisterModules()
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS));

    private FlagCodec() {
    }

    /** Values come out in the form their type serves them (a float flag's 1 as 1.0), however they were stored. */
    public static FlagDefinition definition(Flag flag) {
        FlagType type = FlagType.valueOf(flag.type.toUpperCase(java.util.Locale.ROOT));
        List<Variation> stored = read(flag.variations, new TypeReference<List<Variation>>() { });
        return new FlagDefinition(flag.key, type,
                stored.stream().map(v -> new Variation(v.name(), type.canonical(v.value()))).toList(), flag.salt);
    }

    public static EnvironmentConfig config(FlagEnvironment environment) {
        return read(environment.config, new TypeReference<EnvironmentConfig>() { });
    }

    /** A config from a request; a shape the model cannot read is a 400 naming the offending field. */
    public static EnvironmentConfig parseConfig(JsonNode config) {
        return parse(config, "config", EnvironmentConfig.class);
    }

    /** A segment definition from a request, with the same field-level errors. */
    public static io.flagledger.flagapi.evaluation.FlagModel.Segment parseSegment(JsonNode definition) {
        return parse(definition, "definition", io.flagledger.flagapi.evaluation.FlagModel.Segment.class);
    }

    private static <T> T parse(JsonNode value, String field, Class<T> type) {
        if (value == null || !value.isObject()) {
            throw new InvalidConfigException(List.of(new Problem.FieldError(field, "must be a JSON object")));
        }
        List<Problem.FieldError> arrays = io.flagledger.flagapi.evaluation.ConfigValidator.arrayViolations(field, value);
        if (!arrays.isEmpty()) {
            throw new InvalidConfigException(arrays);
        }
        try {
            return JSON.treeToValue(value, type);
        } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
            String path = e.getPath().stream()
                    .map(ref -> ref.getFieldName() != null ? "." + ref.getFieldName() : "[" + ref.getIndex() + "]")
                    .collect(java.util.stream.Collectors.joining());
            throw new InvalidConfigException(List.of(new Problem.FieldError(field + path, e.getOriginalMessage())));
        } catch (JsonProcessingException e) {
            throw new InvalidConfigException(List.of(new Problem.FieldError(field, "is not valid")));
        }
    }

    /** An environment config as events record it (previous/new state, which add the version). */
    public static EnvironmentConfig config(JsonNode state) {
        com.fasterxml.jackson.databind.node.ObjectNode copy = (com.fasterxml.jackson.databind.node.ObjectNode) state.deepCopy();
        copy.remove("version");
        return JSON.convertValue(copy, EnvironmentConfig.class);
    }

    public static io.flagledger.flagapi.evaluation.FlagModel.Segment segment(String json) {
        return read(json, new TypeReference<io.flagledger.flagapi.evaluation.FlagModel.Segment>() { });
    }

    public static List<String> tags(Flag flag) {
        return read(flag.tags, new TypeReference<List<String>>() { });
    }

    public static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode tree(Object value) {
        return JSON.valueToTree(value);
    }

    private static <T> T read(String json, TypeReference<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
