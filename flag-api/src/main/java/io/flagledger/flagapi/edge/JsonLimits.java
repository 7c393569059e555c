package io.flagledger.flagapi.edge;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * How request bodies are parsed: a duplicate member name is an error (an approval token hashes the body as sent, and
 * "which of the two counts" must not be a question), nesting is bounded well below Jackson's default, and numbers and
 * strings are bounded (the body limit bounds them too). A body breaking these is a 400 "Malformed JSON".
 */
@Singleton
public class JsonLimits implements ObjectMapperCustomizer {

    /** Far above any configuration (7 levels) and the event contract's 32; low enough to parse cheaply. */
    static final int MAX_NESTING = 64;
    static final int MAX_NUMBER_LENGTH = 100;

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING)
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .build());
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        mapper.enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }
}
