package io.flagledger.common.json;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Every service's request bodies: a number or a boolean where text belongs is refused (400 naming the field, through
 * {@code ProblemMappers}), not turned into its spelling. Jackson's default would store {@code "ticket": 1e400} as the
 * text {@code "1e400"} — a non-finite number accepted and recorded in the ledger as if the caller had written it. The
 * event contract parses the same way ({@code EventJson}).
 */
@Singleton
public class TextIsText implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        apply(mapper);
    }

    /** The same rule for a mapper of a service's own that reads request content (e.g. flag configurations). */
    public static ObjectMapper apply(ObjectMapper mapper) {
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return mapper;
    }
}
