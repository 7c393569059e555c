package io.flagledger.cli.gitops;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagledger.cli.Yaml;

/** flag-api's view of a flag, as GET /api/v1/projects/shop/flags/{key} returns it. */
final class Samples {

    private Samples() {
    }

    static JsonNode view(long stagingVersion, int stagingPercentOn) throws Exception {
        return Yaml.JSON.readTree("""
                {"project":"shop","key":"checkout","name":"New checkout","description":null,"kind":"release","type":"boolean",
                 "variations":[{"name":"on","value":true},{"name":"off","value":false}],"owner":"team-pay","expiresAt":null,
                 "tags":["pay"],"risk":"high","clientVisible":false,"archived":false,"metadataVersion":2,
                 "environments":[
                  {"environment":"staging","enabled":true,"version":%d,"protectedEnvironment":false,
                   "config":{"enabled":true,"offVariation":"off","targets":[{"variation":"on","values":["u2","u1"]}],
                     "rules":[{"id":"nl","clauses":[{"attribute":"country","operator":"in","values":["NL"],"negate":false}],"serve":{"variation":"on","rollout":null}}],
                     "fallthrough":{"variation":null,"rollout":{"bucketBy":null,"variations":[{"variation":"on","weight":%d},{"variation":"off","weight":%d}]}}}},
                  {"environment":"production","enabled":false,"version":4,"protectedEnvironment":true,
                   "config":{"enabled":false,"offVariation":"off","targets":[],"rules":[],"fallthrough":{"variation":"off","rollout":null}}},
                  {"environment":"development","enabled":false,"version":0,"protectedEnvironment":false,
                   "config":{"enabled":false,"offVariation":"off","targets":[],"rules":[],"fallthrough":{"variation":"off","rollout":null}}}]}
                """.formatted(stagingVersion, stagingPercentOn * 1000, 100_000 - stagingPercentOn * 1000));
    }
}
