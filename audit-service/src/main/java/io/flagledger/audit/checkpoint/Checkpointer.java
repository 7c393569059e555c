package io.flagledger.audit.checkpoint;

import io.flagledger.audit.merkle.MerkleStore;
import io.flagledger.contract.merkle.Checkpoint;
import io.flagledger.contract.note.NoteSigner;
import io.flagledger.contract.note.NoteVerificationException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.MessageDigest;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Signs a checkpoint of the current tree every N appended events or every T seconds if the tree grew. Before
 * signing it checks that the stored tree still has the previously signed root, so a damaged store is never
 * vouched for.
 */
@ApplicationScoped
public class Checkpointer {

    private static final Logger LOG = Logger.getLogger(Checkpointer.class);

    @Inject
    Pool pool;

    @Inject
    MerkleStore tree;

    @Inject
    CheckpointStore checkpoints;

    @Inject
    CheckpointKeys keys;

    @Inject
    CheckpointConfig config;

    @Inject
    MeterRegistry registry;

    private final AtomicLong appendedSinceLast = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong latestSize = new AtomicLong(-1);

    /** Called after each committed append; every {@code every-events} appended events a checkpoint is signed. */
    public void appended(long count) {
        if (appendedSinceLast.addAndGet(count) >= config.everyEvents()) {
            checkpointNow().subscribe().with(c -> { }, e -> LOG.warnf("Checkpoint failed: %s", e.getMessage()));
        }
    }

    @Scheduled(every = "${flagledger.checkpoint.interval:10s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> periodically() {
        return checkpointNow().onFailure().invoke(e -> LOG.warnf("Checkpoint failed: %s", e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Signs and stores a checkpoint of the current tree; empty if there is no key, no growth, or one is in progress. */
    public Uni<Optional<StoredCheckpoint>> checkpointNow() {
        Optional<NoteSigner> signer = keys.signer();
        if (signer.isEmpty() || !running.compareAndSet(false, true)) {
            return Uni.createFrom().item(Optional.empty());
        }
        appendedSinceLast.set(0);
        return pool.withConnection(this::checkpointOn).eventually(() -> running.set(false));
    }

    /** The work of {@link #checkpointNow()} on a given client (tests pass a transaction they roll back). */
    public Uni<Optional<StoredCheckpoint>> checkpointOn(SqlClient conn) {
        NoteSigner signer = keys.signer().orElseThrow(() -> new IllegalStateException("no checkpoint signing key"));
        return tree.size(conn).chain(size -> checkpoints.latest(conn)
                .chain(latest -> latest.isPresent() && latest.get().treeSize() >= size
                        ? Uni.createFrom().item(Optional.<StoredCheckpoint>empty())
                        : sign(conn, signer, size, latest)));
    }

    /** The root as signed, not as the row's column says: a forged column must not make us vouch for a forged tree. */
    private byte[] signedRoot(StoredCheckpoint c) {
        try {
            Checkpoint signed = Checkpoint.parse(keys.verifier().open(c.note()).text());
            if (signed.size() == c.treeSize()) {
                return signed.rootHash();
            }
        } catch (NoteVerificationException | IllegalArgumentException e) {
            LOG.errorf("Checkpoint at size %d does not verify: %s", c.treeSize(), e.getMessage());
        }
        return new byte[0]; // matches no root, so signing is refused
    }

    private Uni<Optional<StoredCheckpoint>> sign(SqlClient conn, NoteSigner signer, long size,
                                                 Optional<StoredCheckpoint> previous) {
        Uni<Void> stillConsistent = previous.isEmpty() ? Uni.createFrom().voidItem()
                : tree.root(conn, previous.get().treeSize()).invoke(root -> {
                    if (!MessageDigest.isEqual(root, signedRoot(previous.get()))) {
                        registry.counter("flagledger.audit.checkpoint.refused").increment();
                        LOG.fatalf("CRITICAL: the stored tree no longer has the root signed at size %d; refusing to "
                                + "sign size %d. The ledger may have been tampered with.", previous.get().treeSize(), size);
                        throw new IllegalStateException("stored tree is inconsistent with checkpoint " + previous.get().treeSize());
                    }
                }).replaceWithVoid();
        return stillConsistent.chain(() -> tree.root(conn, size)).chain(root -> {
            String note = signer.sign(new Checkpoint(config.origin(), size, root).body());
            StoredCheckpoint c = new StoredCheckpoint(size, root, config.origin(), signer.verifierKey().name(), note,
                    OffsetDateTime.now(ZoneOffset.UTC));
            return checkpoints.insert(conn, c).map(inserted -> {
                if (inserted) {
                    registry.counter("flagledger.audit.checkpoints.signed").increment();
                    latestSize.set(size);
                    registry.gauge("flagledger.audit.checkpoint.tree.size", latestSize);
                    LOG.debugf("Signed checkpoint at tree size %d", size);
                }
                return inserted ? Optional.of(c) : Optional.<StoredCheckpoint>empty();
            });
        });
    }
}
