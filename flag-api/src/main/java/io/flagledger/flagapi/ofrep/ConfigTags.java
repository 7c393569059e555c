package io.flagledger.flagapi.ofrep;

import io.flagledger.contract.CanonicalJson;
import io.flagledger.contract.Hashing;
import io.flagledger.flagapi.evaluation.EvaluationSnapshot;
import io.flagledger.flagapi.evaluation.FlagModel;
import io.flagledger.flagapi.flags.FlagCodec;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The flag-configuration tag of what one kind of key evaluates in one environment: the {@code etag} of OFREP
 * {@code refetchEvaluation} events, the {@code flagConfigEtag} providers send back, and the base of the bulk ETag.
 * A client key's tag covers only client-visible flags (and the segments), so a change to a flag it cannot see neither
 * notifies it nor changes its ETag: a public key learns nothing of such flags, not even that they changed. Tags are
 * computed from the state alone, so every replica serving the same state gives the same tag. Computed once per
 * environment state and kind of key, then cached until the snapshot replaces that environment.
 */
@ApplicationScoped
public class ConfigTags {

    private record Cached(EvaluationSnapshot.Environment environment, String tag) {
    }

    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    /** 32 hex digits. */
    public String tag(String scopeKey, boolean client, EvaluationSnapshot.Environment environment) {
        String cacheKey = scopeKey + (client ? "|client" : "|server");
        Cached cached = cache.get(cacheKey);
        if (cached != null && cached.environment() == environment) {
            return cached.tag();
        }
        String tag = compute(scopeKey, client, environment);
        cache.put(cacheKey, new Cached(environment, tag));
        return tag;
    }

    static boolean wellFormed(String tag) {
        return tag != null && tag.length() == 32 && tag.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }

    private static String compute(String scopeKey, boolean client, EvaluationSnapshot.Environment environment) {
        StringBuilder text = new StringBuilder(scopeKey).append(client ? "|client" : "|server");
        new TreeMap<>(environment.flags()).forEach((key, entry) -> {
            if (!client || entry.clientVisible()) {
                // The salt tells a flag from an earlier one under the same key.
                text.append('|').append(key).append(':').append(entry.version()).append(':').append(entry.definition().salt());
            }
        });
        // Sets sorted: their iteration order may differ between replicas holding the same segments.
        new TreeMap<>(environment.segments()).forEach((key, segment) -> text.append('|').append(CanonicalJson.canonicalString(
                FlagCodec.tree(new FlagModel.Segment(key, new TreeSet<>(segment.included()), new TreeSet<>(segment.excluded()),
                        segment.rules())))));
        return Hashing.sha256Hex(text.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 32);
    }
}
