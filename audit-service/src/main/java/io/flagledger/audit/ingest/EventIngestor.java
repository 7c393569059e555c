package io.flagledger.audit.ingest;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.flagledger.audit.checkpoint.Checkpointer;
import io.flagledger.audit.ledger.Ledger;
import io.flagledger.audit.ledger.SourcePosition;
import io.flagledger.common.retry.Failures;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventValidator;
import io.flagledger.contract.SafeText;
import io.flagledger.contract.verify.EventGate;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordBatchMetadata;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Moves every polled batch of the audited topics into the ledger or the quarantine, in poll order (per partition,
 * the Kafka order), and acknowledges it (its offsets are committed) only after that is in the database. No single
 * record can stop this:
 * <ul>
 *   <li>admission (the shared {@link EventGate} plus the contract's size limit) quarantines what the contract refuses;</li>
 *   <li>a batch that fails for a reason of its data ({@link StoreFailure}) is bisected until the failing record is
 *       alone, and that record is quarantined with the database's reason; the records around it are appended in
 *       their order;</li>
 *   <li>a batch that fails because of the database (connection lost, serialization failure, revoked grant) is
 *       retried with capped backoff for as long as it takes: nothing is skipped or quarantined, and
 *       {@code flagledger_audit_ingest_stalled_seconds} shows how long ingestion has been stuck.</li>
 * </ul>
 * A redelivered batch after a crash is deduplicated by event id (ledger) and by Kafka position (quarantine).
 *
 * <p>Polls are pipelined: while one poll is written, the next ones are handed over by Kafka and verified on a
 * bounded pool, so Kafka, signature checks and the database overlap. A verified poll's append is sent as soon as
 * the previous poll's append holds the append lock, assuming the tree that one makes ({@link Ledger#appendAt}): it
 * waits for the lock in the database, so its statement is already there when the previous commit ends. It writes
 * only if the ledger then holds exactly that tree, so the entries stay in poll order; if not (the previous one
 * failed, or someone else appended), nothing was written and the poll is stored the ordinary way once the previous
 * poll's write has ended. A poll's offsets are acknowledged only after its own write committed, in poll order.
 * Each event is canonicalized once, at admission, and those bytes are what the ledger stores and hashes.
 */
@ApplicationScoped
public class EventIngestor {

    private static final Logger LOG = Logger.getLogger(EventIngestor.class);
    static final Duration FIRST_RETRY = Duration.ofMillis(200);
    static final Duration MAX_RETRY = Duration.ofSeconds(10);

    /**
     * One polled record: where it came from, its bytes, and either the admitted event with its row values or why it
     * was refused.
     */
    record Item(SourcePosition position, byte[] payload, Ledger.Admitted admitted, String rejection) {
        Item(SourcePosition position, byte[] payload, AuditEvent event, byte[] canonical, String rejection) {
            this(position, payload, event == null ? null : new Ledger.Admitted(event, canonical, position), rejection);
        }

        AuditEvent event() {
            return admitted == null ? null : admitted.event();
        }

        Item refused(String reason) {
            return new Item(position, payload, null, reason);
        }
    }

    @Inject
    TrustedProducers producers;

    @ConfigProperty(name = "flagledger.topics.audited")
    List<String> topics;

    @Inject
    Ledger ledger;

    @Inject
    Checkpointer checkpointer;

    @Inject
    SecurityAlerts alerts;

    @Inject
    MeterRegistry registry;

    @Inject
    IngestConfig config;

    private EventGate gate;
    private ExecutorService verifiers;
    /** When the batch being retried first failed (epoch millis), 0 while ingestion flows. */
    private final AtomicLong stalledSince = new AtomicLong();
    /**
     * Polls verified ahead of the one being written. The connector hands over the next poll only when ingest()'s
     * Uni completes, so with two the Kafka hand-over and the verification of the next polls overlap the write,
     * and a backlog holds at most one more than this many polls (max.poll.records each) in memory.
     */
    static final int AHEAD = 2;
    /**
     * A poll's write: {@code written} completes when it ended (committed, or failed for good); {@code after} as soon
     * as its append holds the append lock, with the tree the ledger holds if it commits, or null if it is stored the
     * ordinary way (then the next poll's append waits for {@code written} before it is sent).
     */
    private record Write(CompletableFuture<Void> written, CompletableFuture<Ledger.Frontier> after) {
        Write() {
            this(new CompletableFuture<>(), new CompletableFuture<>());
        }
    }

    /** The writes of the latest polls, oldest first (ingest() is called for one poll at a time). */
    private final Deque<Write> writes = new ArrayDeque<>();
    /** When ingest() last returned (nanoTime), 0 before the first: the start of the wait for the next poll. */
    private volatile long handedBack;
    /**
     * Wall time per poll, by phase: waiting for the connector's next poll ({@code poll}), verifying it
     * ({@code verify}), then waiting until its append can be sent ({@code wait}: the previous one holds the lock,
     * or was written if that one went the ordinary way), and its own write until committed ({@code write}, which
     * includes waiting for the previous commit in the database).
     */
    private Timer pollTime;
    private Timer verifyTime;
    private Timer waitTime;
    private Timer writeTime;
    /** Polls written by an append sent ahead, and polls stored the ordinary way (incl. the ones whose ahead failed). */
    private Counter aheadWrites;
    private Counter ordinaryWrites;

    @PostConstruct
    void init() {
        gate = producers.gate(topics);
        AtomicInteger n = new AtomicInteger();
        verifiers = Executors.newFixedThreadPool(config.threads(), r -> {
            Thread t = new Thread(r, "ledger-verify-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pollTime = phase("poll");
        verifyTime = phase("verify");
        waitTime = phase("wait");
        writeTime = phase("write");
        aheadWrites = Counter.builder("flagledger.audit.ingest.writes").description("polls written, by how")
                .tag("way", "ahead").register(registry);
        ordinaryWrites = Counter.builder("flagledger.audit.ingest.writes").description("polls written, by how")
                .tag("way", "ordinary").register(registry);
        registry.gauge("flagledger.audit.ingest.stalled.seconds", stalledSince,
                s -> s.get() == 0 ? 0 : (System.currentTimeMillis() - s.get()) / 1000.0);
    }

    private Timer phase(String name) {
        return Timer.builder("flagledger.audit.ingest.phase").description("wall time per poll on ingestion's critical path")
                .tag("phase", name).register(registry);
    }

    @PreDestroy
    void close() {
        verifiers.shutdownNow();
    }

    /**
     * Starts verifying the poll and returns once the write {@link #AHEAD} polls back has ended, so the connector
     * delivers the next polls to verify while this one waits for, then does, its write. Entries go into the ledger
     * in poll order, and the poll is acknowledged (its offsets become committable) when its write committed, after
     * the previous poll's; a write that fails for good nacks it, which stops the channel (failure-strategy fail)
     * rather than skip anything.
     */
    @Incoming("audited-events")
    public Uni<Void> ingest(KafkaRecordBatch<String, byte[]> batch) {
        ConsumerRecords<String, byte[]> records = batch.getMetadata(IncomingKafkaRecordBatchMetadata.class)
                .map(m -> (ConsumerRecords<String, byte[]>) m.getRecords())
                .orElseThrow(() -> new IllegalStateException("a Kafka batch without its records"));
        long polled = System.nanoTime();
        if (handedBack != 0) {
            pollTime.record(polled - handedBack, TimeUnit.NANOSECONDS);
        }
        Write prior;
        Write mine = new Write();
        CompletableFuture<Void> back;
        synchronized (writes) { // one call at a time, but not always on the same thread
            prior = writes.peekLast();
            writes.addLast(mine);
            back = writes.size() > AHEAD ? writes.removeFirst().written() : CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> priorWritten = prior == null ? CompletableFuture.completedFuture(null) : prior.written();
        CompletableFuture<Ledger.Frontier> base = prior == null ? CompletableFuture.completedFuture(null) : prior.after();
        judge(records).whenComplete((items, failure) -> {
            if (failure != null) {
                mine.after().complete(null);
                priorWritten.whenComplete((v, x) -> mine.written().complete(null));
                batch.nack(failure);
                return;
            }
            long verified = System.nanoTime();
            verifyTime.record(verified - polled, TimeUnit.NANOSECONDS);
            base.whenComplete((tree, x) -> {
                if (tree != null) {
                    write(batch, items, tree, priorWritten, mine, verified);
                } else { // the previous poll is stored the ordinary way: grow from what it committed
                    priorWritten.whenComplete((v, y) -> write(batch, items, ledger.committed(), priorWritten, mine, verified));
                }
            });
        });
        return Uni.createFrom().completionStage(back).invoke(() -> handedBack = System.nanoTime());
    }

    /**
     * Sends the poll's append on the assumption that the ledger will hold {@code tree}, when it can go in one round
     * trip; otherwise, or if the ledger did not hold that tree, stores it the ordinary way ({@link #store}) once
     * the previous poll's write has ended.
     */
    private void write(KafkaRecordBatch<String, byte[]> batch, List<Item> items, Ledger.Frontier tree,
                       CompletableFuture<Void> priorWritten, Write mine, long verified) {
        long writing = System.nanoTime();
        waitTime.record(writing - verified, TimeUnit.NANOSECONDS);
        List<Ledger.Admitted> admitted = new ArrayList<>(items.size());
        for (Item i : items) {
            if (i.admitted() != null) {
                admitted.add(i.admitted());
            }
        }
        if (tree == null || admitted.size() < items.size() || !Ledger.oneRoundTrip(admitted, List.of())) {
            mine.after().complete(null);
            priorWritten.whenComplete((v, x) -> stored(batch, items, mine, writing));
            return;
        }
        Ledger.Attempt attempt;
        try {
            attempt = ledger.appendAt(tree, admitted);
        } catch (RuntimeException e) { // cannot happen for what admission lets through; never lose the poll over it
            mine.after().complete(null);
            priorWritten.whenComplete((v, x) -> stored(batch, items, mine, writing));
            return;
        }
        attempt.locked().whenComplete((v, x) -> mine.after().complete(attempt.after()));
        attempt.outcome().subscribe().with(
                outcome -> priorWritten.whenComplete((v, x) -> {
                    if (outcome == null) {
                        stored(batch, items, mine, writing);
                        return;
                    }
                    stalledSince.set(0);
                    committed(admitted, List.of(), outcome);
                    aheadWrites.increment();
                    done(batch, mine, writing);
                }),
                // Rolled back; the ordinary way retries, tells duplicates apart or bisects, as for any poll.
                e -> priorWritten.whenComplete((v, x) -> stored(batch, items, mine, writing)));
    }

    /** Stores the poll the ordinary way and ends its write. */
    private void stored(KafkaRecordBatch<String, byte[]> batch, List<Item> items, Write mine, long writing) {
        store(items).subscribe().with(
                done -> {
                    ordinaryWrites.increment();
                    done(batch, mine, writing);
                },
                e -> {
                    LOG.errorf("Storing a poll of %d records failed for good: %s", items.size(),
                            SafeText.escape(String.valueOf(e.getMessage())));
                    mine.written().complete(null);
                    batch.nack(e);
                });
    }

    private void done(KafkaRecordBatch<String, byte[]> batch, Write mine, long writing) {
        writeTime.record(System.nanoTime() - writing, TimeUnit.NANOSECONDS);
        mine.written().complete(null);
        batch.ack();
    }

    /** Judges the records on the verifier pool, in contiguous chunks, and returns the verdicts in poll order. */
    private CompletableFuture<List<Item>> judge(ConsumerRecords<String, byte[]> records) {
        List<ConsumerRecord<String, byte[]>> polled = new ArrayList<>(records.count());
        records.forEach(polled::add);
        // A few chunks per thread even out the threads' share when the pool is busy with something else.
        int chunk = Math.max(1, -Math.floorDiv(-polled.size(), 4 * config.threads()));
        List<CompletableFuture<List<Item>>> parts = new ArrayList<>();
        for (int from = 0; from < polled.size(); from += chunk) {
            List<ConsumerRecord<String, byte[]>> part = polled.subList(from, Math.min(polled.size(), from + chunk));
            parts.add(CompletableFuture.supplyAsync(() -> part.stream().map(this::judge).toList(), verifiers));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                .thenApply(v -> parts.stream().flatMap(p -> p.join().stream()).toList());
    }

    Item judge(ConsumerRecord<String, byte[]> record) {
        SourcePosition position = new SourcePosition(record.topic(), record.partition(), record.offset());
        byte[] payload = record.value() == null ? new byte[0] : record.value();
        if (payload.length > EventValidator.MAX_EVENT_BYTES) { // refused before parsing: a huge record costs nothing more
            return new Item(position, payload, null, null, "oversized: the record is " + payload.length + " bytes, more than "
                    + EventValidator.MAX_EVENT_BYTES);
        }
        EventGate.Verdict verdict = gate.judgeBytes(record.topic(), payload);
        if (!verdict.admitted()) {
            return new Item(position, payload, null, null, verdict.reason().label() + ": " + verdict.detail());
        }
        int canonical = verdict.canonical().length; // numbers may expand when canonicalized
        if (canonical > EventValidator.MAX_EVENT_BYTES) {
            return new Item(position, payload, null, null, "oversized: "
                    + String.join("; ", EventValidator.violations(verdict.event(), canonical)));
        }
        try {
            return new Item(position, payload, verdict.event(), verdict.canonical(), null);
        } catch (RuntimeException e) {
            // Deriving the row from an admitted event cannot fail for what the contract admits; if it ever does,
            // it is this record's property, and it must not fail the whole poll.
            return new Item(position, payload, null, null, "malformed: its row could not be derived ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** Stores the items in order; on a failure of their data, bisects until the failing record is alone. */
    Uni<Void> store(List<Item> items) {
        return attempt(items).onFailure().recoverWithUni(e -> {
            StoreFailure failure = StoreFailure.of(e);
            if (items.size() > 1) {
                LOG.warnf("Storing a batch of %d records failed (%s); storing its halves separately to find the record",
                        items.size(), SafeText.escape(failure.message()));
                int half = items.size() / 2;
                return store(items.subList(0, half)).chain(() -> store(items.subList(half, items.size())));
            }
            return alone(items.get(0), failure);
        });
    }

    /**
     * One transaction for the items. Transient failures are retried here, indefinitely with capped backoff: the
     * consumer holds the batch (Kafka's poll loop keeps the group membership), so nothing is lost or skipped.
     */
    private Uni<Void> attempt(List<Item> items) {
        List<Ledger.Admitted> admitted = new ArrayList<>(items.size());
        List<Ledger.Rejected> rejected = new ArrayList<>();
        for (Item i : items) {
            if (i.admitted() != null) {
                admitted.add(i.admitted());
            } else {
                rejected.add(new Ledger.Rejected(i.payload(), i.rejection(), i.position()));
            }
        }
        return Uni.createFrom().deferred(() -> ledger.append(admitted, rejected))
                .onFailure(e -> StoreFailure.of(e).transientFailure()).invoke(e -> stalled(items.size(), e))
                .onFailure(e -> StoreFailure.of(e).transientFailure()).retry().withBackOff(FIRST_RETRY, MAX_RETRY).indefinitely()
                .invoke(outcome -> {
                    stalledSince.set(0);
                    committed(admitted, rejected, outcome);
                })
                .replaceWithVoid();
    }

    /** A record that failed alone: quarantined if the failure is its own, i.e. deterministic or the same twice. */
    private Uni<Void> alone(Item item, StoreFailure failure) {
        if (item.event() == null) {
            // Even the quarantine row was refused: never skip, keep retrying and let the stall gauge show it.
            LOG.errorf("Quarantining record %s failed (%s); retrying", item.position(), SafeText.escape(failure.message()));
            stalled(1, null);
            return Uni.createFrom().voidItem().onItem().delayIt().by(MAX_RETRY).chain(() -> store(List.of(item)));
        }
        Uni<Void> quarantine = attempt(List.of(item.refused("refused by the database: " + failure.message())));
        if (failure.kind() == Failures.Kind.DETERMINISTIC) {
            return quarantine;
        }
        return Uni.createFrom().voidItem().onItem().delayIt().by(FIRST_RETRY).chain(() -> attempt(List.of(item)))
                .onFailure().recoverWithUni(e -> {
                    StoreFailure again = StoreFailure.of(e);
                    return again.signature().equals(failure.signature())
                            ? attempt(List.of(item.refused("refused by the database twice: " + again.message())))
                            : alone(item, again);
                });
    }

    private void stalled(int records, Throwable e) {
        stalledSince.compareAndSet(0, System.currentTimeMillis());
        registry.counter("flagledger.audit.ingest.retries").increment();
        if (e != null) {
            LOG.warnf("Storing a batch of %d records failed, retrying: %s", records, SafeText.escape(String.valueOf(e.getMessage())));
        }
    }

    private void committed(List<Ledger.Admitted> admitted, List<Ledger.Rejected> rejected, Ledger.Outcome outcome) {
        // Counted per topic and outcome, not per event: a meter lookup per event is measurable at this rate.
        Map<String, int[]> counts = new HashMap<>(); // by topic: appended, duplicate
        for (int i = 0; i < admitted.size(); i++) {
            counts.computeIfAbsent(admitted.get(i).position().topic(), t -> new int[2])[outcome.seqs()[i] > 0 ? 0 : 1]++;
        }
        counts.forEach((topic, c) -> {
            for (int k = 0; k < 2; k++) {
                if (c[k] > 0) {
                    registry.counter("flagledger.audit.events", "topic", topic, "outcome", k == 0 ? "appended" : "duplicate")
                            .increment(c[k]);
                }
            }
        });
        long appended = outcome.appended();
        if (appended > 0) {
            checkpointer.appended(appended);
        }
        for (Ledger.Rejected r : rejected) {
            if (!outcome.quarantined().contains(r.position())) {
                continue; // a redelivery of a record quarantined (and alerted on) before
            }
            registry.counter("flagledger.audit.quarantined", "topic", r.position().topic()).increment();
            LOG.warnf("Quarantined record %s: %s", r.position(), r.reason());
            alerts.raise("audit.event_quarantined", "quarantine-" + r.position(), "record " + r.position()
                    + " could not enter the ledger and was quarantined: " + r.reason(), JsonNodeFactory.instance.objectNode()
                    .put("topic", r.position().topic())
                    .put("partition", r.position().partition())
                    .put("offset", r.position().offset())
                    .put("reason", r.reason()));
        }
    }
}
