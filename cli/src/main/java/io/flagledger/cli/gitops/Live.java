package io.flagledger.cli.gitops;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagledger.cli.http.FlagApi;
import io.flagledger.cli.http.Http;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** What flag-api serves for a project now: flag views (with versions and protection) and segment views. */
public record Live(Map<String, JsonNode> flags, Map<String, Map<String, JsonNode>> segments, Set<String> protectedEnvironments) {

    /** Reads every flag (all pages) and the segments of every environment the flags or {@code moreEnvironments} name. */
    public static Live fetch(FlagApi api, String project, Collection<String> moreEnvironments) {
        Map<String, JsonNode> flags = new TreeMap<>();
        Set<String> environments = new TreeSet<>(moreEnvironments);
        Set<String> protectedEnvironments = new TreeSet<>();
        String cursor = null;
        do {
            JsonNode page = Http.json(api.flags(project, cursor, 500), "list flags of " + project, 200);
            for (JsonNode flag : page.path("items")) {
                flags.put(flag.path("key").asText(), flag);
                for (JsonNode env : flag.path("environments")) {
                    environments.add(env.path("environment").asText());
                    if (env.path("protectedEnvironment").asBoolean()) {
                        protectedEnvironments.add(env.path("environment").asText());
                    }
                }
            }
            cursor = page.path("nextCursor").isTextual() ? page.path("nextCursor").asText() : null;
        } while (cursor != null);
        Map<String, Map<String, JsonNode>> segments = new TreeMap<>();
        for (String env : environments) {
            Map<String, JsonNode> byKey = new TreeMap<>();
            for (JsonNode s : Http.json(api.segments(project, env), "list segments of " + project + "/" + env, 200)) {
                byKey.put(s.path("key").asText(), s);
            }
            segments.put(env, byKey);
        }
        return new Live(flags, segments, protectedEnvironments);
    }

    /** The project as {@link FlagFiles} would write it. */
    public FlagFiles.Project asFiles() {
        Map<String, JsonNode> docs = new TreeMap<>();
        flags.forEach((k, v) -> docs.put(k, FlagFiles.flagDocument(v)));
        Map<String, Map<String, JsonNode>> segs = new TreeMap<>();
        segments.forEach((env, byKey) -> {
            Map<String, JsonNode> d = new TreeMap<>();
            byKey.forEach((k, v) -> d.put(k, FlagFiles.segmentDocument(v.path("definition"))));
            segs.put(env, d);
        });
        return new FlagFiles.Project(docs, segs);
    }
}
