package io.flagledger.flagapi.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagledger.contract.CanonicalJson;
import io.flagledger.contract.Hashing;
import io.flagledger.flagapi.evaluation.EvaluationSnapshot.Entry;
import io.flagledger.flagapi.evaluation.FlagModel.EnvironmentConfig;
import io.flagledger.flagapi.evaluation.FlagModel.FlagDefinition;
import io.flagledger.flagapi.evaluation.FlagModel.FlagType;
import io.flagledger.flagapi.evaluation.FlagModel.Segment;
import io.flagledger.flagapi.evaluation.FlagModel.Serve;
import io.flagledger.flagapi.flags.FlagCodec;
import io.flagledger.flagapi.ofrep.ConfigTags;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The flag-configuration tag is fed to SHA-256 piece by piece from the key-sorted array now; it must stay the tag the
 * whole-string computation gave (replicas of two versions during a rollout, and providers holding a tag, agree).
 */
class ConfigTagsTest {

    @Test
    void theTagIsTheWholeStringDigestOfTheSortedFlagsAndSegments() {
        Random random = new Random(14);
        Map<String, Entry> flags = new HashMap<>();
        for (int i = 0; i < 500; i++) {
            String key = "flag-" + Integer.toString(random.nextInt(1_000_000), 36) + (i % 7 == 0 ? "-ü" : "");
            flags.put(key, new Entry(new FlagDefinition(key, FlagType.BOOLEAN, List.of(), "salt" + i),
                    new EnvironmentConfig(i % 2 == 0, "off", List.of(), List.of(), Serve.of("on")), random.nextInt(50),
                    "release", i % 3 == 0));
        }
        List<Entry> sorted = new ArrayList<>(flags.values());
        sorted.sort(Comparator.comparing(e -> e.definition().key()));
        Map<String, Segment> segments = Map.of(
                "beta", new Segment("beta", new LinkedHashSet<>(List.of("u3", "u1", "u2")), Set.of("x"), List.of()),
                "alpha", new Segment("alpha", Set.of(), Set.of(), List.of()));
        EvaluationSnapshot.Environment environment = new EvaluationSnapshot.Environment(flags, sorted, segments, 0, 0, 1);
        ConfigTags tags = new ConfigTags();
        for (boolean client : new boolean[] {false, true}) {
            assertThat(tags.tag("shop/staging", client, environment)).as(client ? "client" : "server")
                    .isEqualTo(wholeString("shop/staging", client, environment));
        }
        assertThat(tags.tag("shop/staging", true, environment)).isNotEqualTo(tags.tag("shop/staging", false, environment));
    }

    /** The computation before: the environment as one string, flags through a TreeMap. */
    private static String wholeString(String scopeKey, boolean client, EvaluationSnapshot.Environment environment) {
        StringBuilder text = new StringBuilder(scopeKey).append(client ? "|client" : "|server");
        new TreeMap<>(environment.flags()).forEach((key, entry) -> {
            if (!client || entry.clientVisible()) {
                text.append('|').append(key).append(':').append(entry.version()).append(':').append(entry.definition().salt());
            }
        });
        new TreeMap<>(environment.segments()).forEach((key, segment) -> text.append('|').append(CanonicalJson.canonicalString(
                FlagCodec.tree(new Segment(key, new TreeSet<>(segment.included()), new TreeSet<>(segment.excluded()),
                        segment.rules())))));
        return Hashing.sha256Hex(text.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 32);
    }
}
