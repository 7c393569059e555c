package io.flagledger.audit.siem;

import io.flagledger.common.retry.Backoff;

import io.flagledger.contract.EventJson;
import io.flagledger.contract.InvalidEventException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.jboss.logging.Logger;

/**
 * Forwards the ledger to every enabled SIEM sink, at least once and in seq order. Each sink has a cursor in
 * {@code siem_cursor}, advanced only after the sink confirmed a batch, so a crash or an outage resends rather
 * than skips. A failing sink is retried with exponential backoff (per sink: one slow SIEM never holds up another);
 * a record the receiver refuses for good goes to {@code siem_dead_letter} and the cursor moves past it.
 */
@ApplicationScoped
public class SiemForwarder {

    private static final Logger LOG = Logger.getLogger(SiemForwarder.class);
    private static final Duration DB_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_REASON = 2000;

    @Inject
    Pool pool;

    @Inject
    SiemConfig config;

    @Inject
    MeterRegistry registry;

    private final List<Sink> sinks = new ArrayList<>();
    private final Map<String, Retry> retries = new ConcurrentHashMap<>();
    private Backoff backoff;
    private final Map<String, AtomicLong> cursors = new ConcurrentHashMap<>();

    private static final class Retry {
        int failures;
        Instant nextAttempt = Instant.MIN;
    }

    @PostConstruct
    void sinks() {
        backoff = new Backoff(config.initialBackoff(), config.maxBackoff()); // a bad pair fails start-up, not a retry
        String host = config.hostname().filter(h -> !h.isBlank()).orElseGet(SiemForwarder::localHostname);
        if (config.syslog().enabled()) {
            sinks.add(new SyslogSink(config.syslog(), config.syslog().tls() ? tlsFactory(config.syslog()) : null, host, config.appName()));
        }
        if (config.splunk().enabled()) {
            sinks.add(new SplunkHecSink(config.splunk(), host, config.appName()));
        }
        for (Sink sink : sinks) {
            AtomicLong cursor = new AtomicLong();
            cursors.put(sink.name(), cursor);
            registry.gauge("flagledger.audit.siem.cursor", List.of(io.micrometer.core.instrument.Tag.of("sink", sink.name())), cursor);
            retries.put(sink.name(), new Retry());
        }
    }

    @Scheduled(every = "${flagledger.siem.poll-interval:2s}", delayed = "3s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void periodically() {
        for (Sink sink : sinks) {
            Retry b = retries.get(sink.name());
            if (Instant.now().isBefore(b.nextAttempt)) {
                continue;
            }
            try {
                while (forward(sink) == config.batchSize()) {
                    // a full batch: more may be waiting
                }
                b.failures = 0;
                b.nextAttempt = Instant.MIN;
            } catch (SinkException | RuntimeException e) {
                b.failures++;
                long delay = backoff.delay(b.failures).toMillis();
                b.nextAttempt = Instant.now().plusMillis(delay);
                registry.counter("flagledger.audit.siem.failures", "sink", sink.name()).increment();
                LOG.warnf("SIEM sink %s failed (%d in a row), retrying in %d ms: %s", sink.name(), b.failures, delay, e.getMessage());
            }
        }
    }

    /** One batch for one sink; returns how many entries it covered. Blocking: runs on a worker thread. */
    int forward(Sink sink) throws SinkException {
        long cursor = cursor(sink.name());
        List<SiemRecord> batch = new ArrayList<>();
        List<Row> rows = new ArrayList<>();
        pool.preparedQuery("select seq, received_at, canonical_json from ledger_entry where seq > $1 order by seq limit $2")
                .execute(Tuple.of(cursor, config.batchSize())).await().atMost(DB_TIMEOUT).forEach(rows::add);
        for (Row row : rows) {
            long seq = row.getLong("seq");
            String json = row.getString("canonical_json");
            if (json == null) {
                flush(sink, batch);
                deadLetter(sink.name(), seq, null, "the payload left the hot store before this sink forwarded it; "
                        + "it is in the archive segment covering seq " + seq);
                continue;
            }
            try {
                batch.add(new SiemRecord(seq, row.getOffsetDateTime("received_at"), EventJson.parse(json), json));
            } catch (InvalidEventException e) {
                flush(sink, batch);
                deadLetter(sink.name(), seq, null, "unreadable ledger payload: " + e.getMessage());
            }
        }
        flush(sink, batch);
        return rows.size();
    }

    /** Sends the pending records, dead-lettering any the receiver refuses, and advances the cursor; clears the list. */
    private void flush(Sink sink, List<SiemRecord> batch) throws SinkException {
        List<SiemRecord> pending = new ArrayList<>(batch);
        batch.clear();
        while (!pending.isEmpty()) {
            try {
                sink.send(pending);
                advance(sink.name(), pending.get(pending.size() - 1).seq());
                registry.counter("flagledger.audit.siem.forwarded", "sink", sink.name()).increment(pending.size());
                return;
            } catch (SinkException e) {
                if (!e.isRejection()) {
                    throw e;
                }
                // Records before the refused one were taken; the refused one is parked, the rest retried.
                SiemRecord refused = pending.get(e.rejectedIndex());
                deadLetter(sink.name(), refused.seq(), UUID.fromString(refused.event().eventId()), e.getMessage());
                registry.counter("flagledger.audit.siem.forwarded", "sink", sink.name()).increment(e.rejectedIndex());
                pending = new ArrayList<>(pending.subList(e.rejectedIndex() + 1, pending.size()));
            }
        }
    }

    private void deadLetter(String sink, long seq, UUID eventId, String reason) {
        String bounded = reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) : reason;
        pool.withTransaction(tx -> tx.preparedQuery("""
                        insert into siem_dead_letter (sink, seq, event_id, reason, attempts, recorded_at)
                        values ($1, $2, $3, $4, 1, now()) on conflict (sink, seq) do nothing""")
                .execute(Tuple.of(sink, seq, eventId, bounded))
                .chain(() -> tx.preparedQuery(UPSERT_CURSOR).execute(Tuple.of(sink, seq))))
                .await().atMost(DB_TIMEOUT);
        cursors.get(sink).set(seq);
        registry.counter("flagledger.audit.siem.dead.letters", "sink", sink).increment();
        LOG.errorf("SIEM sink %s refused seq %d for good; recorded in siem_dead_letter: %s", sink, seq, bounded);
    }

    private static final String UPSERT_CURSOR = """
            insert into siem_cursor (sink, last_seq, updated_at) values ($1, $2, now())
            on conflict (sink) do update set last_seq = greatest(siem_cursor.last_seq, excluded.last_seq), updated_at = now()""";

    private void advance(String sink, long seq) {
        pool.preparedQuery(UPSERT_CURSOR).execute(Tuple.of(sink, seq)).await().atMost(DB_TIMEOUT);
        cursors.get(sink).set(seq);
    }

    private long cursor(String sink) {
        var rows = pool.preparedQuery("select last_seq from siem_cursor where sink = $1").execute(Tuple.of(sink))
                .await().atMost(DB_TIMEOUT);
        long seq = rows.size() == 0 ? 0 : rows.iterator().next().getLong(0);
        cursors.get(sink).set(seq);
        return seq;
    }

    /** The lowest cursor of the enabled sinks (nothing beyond it may leave the hot store); unbounded without sinks. */
    public long slowestCursor() {
        long slowest = Long.MAX_VALUE;
        for (Sink sink : sinks) {
            slowest = Math.min(slowest, cursor(sink.name()));
        }
        return slowest;
    }

    static SSLSocketFactory tlsFactory(SiemConfig.Syslog syslog) {
        try {
            if (syslog.truststore().filter(t -> !t.isBlank()).isEmpty()) {
                return SSLContext.getDefault().getSocketFactory();
            }
            KeyStore trust = KeyStore.getInstance("PKCS12");
            char[] password = syslog.truststorePassword().map(String::toCharArray).orElse(null);
            try (InputStream in = Files.newInputStream(Path.of(syslog.truststore().get()))) {
                trust.load(in, password);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("flagledger.siem.syslog.truststore: " + e.getMessage(), e);
        }
    }

    private static String localHostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "-";
        }
    }
}
