package io.flagledger.flagapi.ofrep;

import io.flagledger.contract.CanonicalJson;
import io.flagledger.flagapi.evaluation.EvaluationSnapshot;
import io.flagledger.flagapi.evaluation.FlagModel;
import io.flagledger.flagapi.flags.FlagCodec;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
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

    /**
     * SHA-256 over "scope|kind", then "|key:version:salt" per flag in key order, then each segment's canonical JSON;
     * fed piece by piece from the environment's key-sorted array (no per-change sort, no copy of the environment as
     * one string: at 10,000 flags that was most of a change's cost on this path).
     */
    private static String compute(String scopeKey, boolean client, EvaluationSnapshot.Environment environment) {
        MessageDigest digest = sha256();
        StringBuilder piece = new StringBuilder(128).append(scopeKey).append(client ? "|client" : "|server");
        update(digest, piece);
        for (EvaluationSnapshot.Entry entry : environment.sorted()) {
            if (!client || entry.clientVisible()) {
                // The salt tells a flag from an earlier one under the same key.
                piece.setLength(0);
                piece.append('|').append(entry.definition().key()).append(':').append(entry.version()).append(':')
                        .append(entry.definition().salt());
                update(digest, piece);
            }
        }
        // Sets sorted: their iteration order may differ between replicas holding the same segments.
        new TreeMap<>(environment.segments()).forEach((key, segment) -> {
            piece.setLength(0);
            piece.append('|').append(CanonicalJson.canonicalString(FlagCodec.tree(new FlagModel.Segment(key,
                    new TreeSet<>(segment.included()), new TreeSet<>(segment.excluded()), segment.rules()))));
            update(digest, piece);
        });
        return HexFormat.of().formatHex(digest.digest()).substring(0, 32);
    }

    private static void update(MessageDigest digest, CharSequence text) {
        digest.update(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory on every Java platform", e);
        }
    }
}
