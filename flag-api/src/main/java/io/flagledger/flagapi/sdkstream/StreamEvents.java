package io.flagledger.flagapi.sdkstream;

import io.flagledger.flagapi.evaluation.EvaluationSnapshot;
import io.flagledger.flagapi.evaluation.EvaluationSnapshot.Entry;
import io.flagledger.flagapi.flags.FlagCodec;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SDK stream's event bodies, each encoded once and shared by every subscriber: a {@code patch} per change (the
 * flags and segments it touched), and the {@code put} of an environment's whole configuration, cached per environment
 * state, for connects and resumes.
 */
@ApplicationScoped
public class StreamEvents {

    /** An encoded event for one environment; {@code sequence} orders it against a put of the same environment. */
    record Encoded(String scope, String name, String revision, long sequence, String data) {
    }

    @Inject
    EvaluationSnapshot snapshot;

    private final BroadcastProcessor<Encoded> patches = BroadcastProcessor.create();
    private final Map<String, Encoded> puts = new ConcurrentHashMap<>();

    void start(@Observes StartupEvent event) {
        snapshot.patches().subscribe().with(change -> patches.onNext(patch(change)));
    }

    /** Every environment's patches, as they are applied. */
    Multi<Encoded> patches() {
        return patches;
    }

    /** The environment's whole configuration as it is now. */
    Encoded put(String project, String environment) {
        String scope = project + "/" + environment;
        EvaluationSnapshot.Environment current = snapshot.environmentOrEmpty(project, environment);
        Encoded cached = puts.get(scope);
        if (cached != null && cached.sequence() == current.sequence() && cached.revision().equals(current.revision())) {
            return cached;
        }
        Map<String, Object> flags = new TreeMap<>();
        current.flags().forEach((key, entry) -> flags.put(key, flag(entry)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("revision", current.revision());
        body.put("flags", flags);
        body.put("segments", new TreeMap<>(current.segments()));
        Encoded encoded = new Encoded(scope, "put", current.revision(), current.sequence(), FlagCodec.write(body));
        puts.put(scope, encoded);
        return encoded;
    }

    private static Encoded patch(EvaluationSnapshot.Change change) {
        Map<String, Object> flags = new TreeMap<>();
        change.flags().forEach((key, entry) -> flags.put(key, flag(entry)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("revision", change.environment().revision());
        body.put("flags", flags);
        body.put("deletedFlags", new java.util.TreeSet<>(change.removedFlags()));
        body.put("segments", new TreeMap<>(change.segments()));
        body.put("deletedSegments", new java.util.TreeSet<>(change.removedSegments()));
        return new Encoded(change.scope(), "patch", change.environment().revision(), change.environment().sequence(),
                FlagCodec.write(body));
    }

    private static Map<String, Object> flag(Entry entry) {
        Map<String, Object> flag = new LinkedHashMap<>();
        flag.put("version", entry.version());
        flag.put("type", entry.definition().type());
        flag.put("variations", entry.definition().variations());
        flag.put("salt", entry.definition().salt());
        flag.put("clientVisible", entry.clientVisible());
        flag.put("config", entry.config());
        return flag;
    }
}
