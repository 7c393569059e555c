package io.flagledger.audit.ingest;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.flagledger.audit.checkpoint.Checkpointer;
import io.flagledger.audit.ledger.Ledger;
import io.flagledger.audit.ledger.SourcePosition;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventValidator;
import io.flagledger.contract.SafeText;
import io.flagledger.contract.verify.EventGate;
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
 * bounded pool, so Kafka, signature checks and the database overlap. Writes stay one at a time in poll order, and
 * a poll's offsets are still acknowledged only after its own write committed. Each event is canonicalized once, at
 * admission, and those bytes are what the ledger stores and hashes.
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
    /** The writes of the latest polls, oldest first (ingest() is called for one poll at a time). */
    private final Deque<CompletableFuture<Void>> writes = new ArrayDeque<>();
    /** When ingest() last returned (nanoTime), 0 before the first: the start of the wait for the next poll. */
    private volatile long handedBack;
    /**
     * Wall time per poll, by phase: waiting for the connector's next poll ({@code poll}), verifying it
     * ({@code verify}), then waiting for the previous poll's write ({@code wait}), and its own write until
     * committed ({@code write}). Writes follow one another; the other phases overlap them.
     */
    private Timer pollTime;
    private Timer verifyTime;
    private Timer waitTime;
    private Timer writeTime;

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
     * delivers the next polls to verify while this one waits for, then does, its write. Writes run one at a time
     * in poll order, each after the previous one ended. The poll is acknowledged (its offsets become committable)
     * when its write committed; a write that fails for good nacks it, which stops the channel (failure-strategy
     * fail) rather than skip anything.
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
        CompletableFuture<Void> prior;
        CompletableFuture<Void> written = new CompletableFuture<>();
        CompletableFuture<Void> back;
        synchronized (writes) { // one call at a time, but not always on the same thread
            prior = writes.isEmpty() ? CompletableFuture.completedFuture(null) : writes.peekLast();
            writes.addLast(written);
            back = writes.size() > AHEAD ? writes.removeFirst() : CompletableFuture.completedFuture(null);
        }
        judge(records).whenComplete((items, failure) -> {
            if (failure != null) {
                prior.whenComplete((v, x) -> written.complete(null));
                batch.nack(failure);
                return;
            }
            long verified = System.nanoTime();
            verifyTime.record(verified - polled, TimeUnit.NANOSECONDS);
            prior.whenComplete((v, x) -> {
                long writing = System.nanoTime();
                waitTime.record(writing - verified, TimeUnit.NANOSECONDS);
                store(items).subscribe().with(
                        done -> {
                            writeTime.record(System.nanoTime() - writing, TimeUnit.NANOSECONDS);
                            written.complete(null);
                            batch.ack();
                        },
                        e -> {
                            LOG.errorf("Storing a poll of %d records failed for good: %s", items.size(),
                                    SafeText.escape(String.valueOf(e.getMessage())));
                            written.complete(null);
                            batch.nack(e);
                        });
            });
        });
        return Uni.createFrom().completionStage(back).invoke(() -> handedBack = System.nanoTime());
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
        if (failure.kind() == StoreFailure.Kind.DETERMINISTIC) {
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
