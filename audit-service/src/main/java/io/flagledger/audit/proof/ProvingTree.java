package io.flagledger.audit.proof;

import io.flagledger.audit.merkle.MerkleStore;
import io.flagledger.contract.merkle.NodeId;
import io.flagledger.contract.merkle.ProofPlan;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The tree as proofs read it: the upper levels from memory ({@link UpperLevels}, read from the store at start and
 * extended from it every few seconds), the rest from the store in one query. Read-only, for serving proofs only:
 * the integrity checks (self-check, checkpointer) read the store itself through {@link MerkleStore}.
 */
@ApplicationScoped
public class ProvingTree {

    private static final Logger LOG = Logger.getLogger(ProvingTree.class);

    @Inject
    MerkleStore store;

    @Inject
    Pool pool;

    @Inject
    ProofConfig config;

    private UpperLevels upper;

    @PostConstruct
    void init() {
        upper = new UpperLevels(config.cachedLevel());
    }

    void load(@Observes StartupEvent start) {
        extend().subscribe().with(v -> LOG.debugf("Proofs: %d upper tree nodes in memory", upper.size()),
                e -> LOG.warnf("Proofs: upper tree levels not loaded yet (%s); the store answers", e.getMessage()));
    }

    /** Reads the upper-level nodes completed since the last read. */
    @Scheduled(every = "${flagledger.proof.refresh:5s}", delayed = "${flagledger.proof.refresh:5s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> extend() {
        return store.nodesFrom(pool, upper.lowest(), upper.next()).invoke(read -> read.forEach(upper::offer)).replaceWithVoid();
    }

    /** Upper-level nodes held in memory. */
    public long held() {
        return upper.size();
    }

    /** The lowest level held in memory. */
    public int cachedLevel() {
        return upper.lowest();
    }

    /** Hashes of the given nodes: held ones from memory, the others in one query; fails if one is not stored. */
    public Uni<Map<NodeId, byte[]>> nodes(SqlClient client, Collection<NodeId> ids) {
        return nodes(client, Map.of(), ids);
    }

    /** As {@link #nodes(SqlClient, Collection)}, taking nodes the caller already read from the store from {@code read}. */
    private Uni<Map<NodeId, byte[]>> nodes(SqlClient client, Map<NodeId, byte[]> read, Collection<NodeId> ids) {
        Map<NodeId, byte[]> found = new HashMap<>();
        List<NodeId> missing = new ArrayList<>();
        for (NodeId id : ids) {
            byte[] h = upper.get(id);
            if (h == null) {
                h = read.get(id);
            }
            if (h != null) {
                found.put(id, h);
            } else {
                missing.add(id);
            }
        }
        if (missing.isEmpty()) {
            return Uni.createFrom().item(found);
        }
        return store.nodes(client, missing).map(stored -> {
            stored.forEach(upper::offer);
            found.putAll(stored);
            return found;
        });
    }

    /** The nodes of several plans in one read; each plan's hashes come from {@link ProofPlan#hashes(Map)}. */
    public Uni<Map<NodeId, byte[]>> nodes(SqlClient client, ProofPlan... plans) {
        return nodes(client, Map.of(), plans);
    }

    /** As {@link #nodes(SqlClient, ProofPlan...)}, taking nodes the caller already read from the store from {@code read}. */
    public Uni<Map<NodeId, byte[]>> nodes(SqlClient client, Map<NodeId, byte[]> read, ProofPlan... plans) {
        Set<NodeId> all = new LinkedHashSet<>();
        for (ProofPlan p : plans) {
            all.addAll(p.nodes());
        }
        return nodes(client, read, all);
    }
}
