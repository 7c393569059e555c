package io.flagledger.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The throttle alone, with the production window: how many ledger entries a flood costs. */
class DenialThrottleTest {

    private static final Duration WINDOW = Duration.ofSeconds(60);
    private final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");

    private static DenialThrottle.Key key(String address) {
        return new DenialThrottle.Key(address, "anonymous", 401, "GET", "/api/v1/projects/{project}/flags");
    }

    @Test
    void twentyThousandIdenticalDenialsInThirtySecondsAreOneEntryAndOneSummary() {
        DenialThrottle throttle = new DenialThrottle(WINDOW, 256);
        int full = 0;
        for (int i = 0; i < 20_000; i++) {
            if (throttle.admit(key("10.0.0.1"), t0.plusMillis(i * 30_000L / 20_000))) {
                full++;
            }
        }
        assertThat(full).isEqualTo(1);
        assertThat(throttle.drain(t0.plusSeconds(59))).isEmpty();
        List<DenialThrottle.Summary> summaries = throttle.drain(t0.plusSeconds(60));
        assertThat(summaries).hasSize(1);
        assertThat(summaries.get(0).count()).isEqualTo(19_999);
        // The flood is over: the next window is quiet and the key is forgotten; a later denial is recorded in full again.
        assertThat(throttle.drain(t0.plusSeconds(120))).isEmpty();
        assertThat(throttle.trackedKeys()).isZero();
        assertThat(throttle.admit(key("10.0.0.1"), t0.plusSeconds(121))).isTrue();
    }

    @Test
    void aFloodThatLastsKeepsTheKeyThrottledWithOneSummaryPerWindow() {
        DenialThrottle throttle = new DenialThrottle(WINDOW, 256);
        int full = 0;
        int summaries = 0;
        for (int second = 0; second < 600; second++) {
            for (int i = 0; i < 100; i++) {
                full += throttle.admit(key("10.0.0.1"), t0.plusSeconds(second)) ? 1 : 0;
            }
            summaries += throttle.drain(t0.plusSeconds(second)).size();
        }
        assertThat(full).isEqualTo(1);
        assertThat(summaries).isBetween(9, 10);
    }

    @Test
    void distinctKeysBeyondTheCapAggregateIntoOneOverflowKey() {
        DenialThrottle throttle = new DenialThrottle(WINDOW, 4);
        int full = 0;
        for (int i = 0; i < 10_000; i++) {
            full += throttle.admit(key("10.0." + (i / 256) + "." + (i % 256)), t0) ? 1 : 0;
        }
        assertThat(throttle.trackedKeys()).isEqualTo(5);
        assertThat(full).isEqualTo(5);
        List<DenialThrottle.Summary> summaries = throttle.drain(t0.plus(WINDOW));
        assertThat(summaries).singleElement().satisfies(s -> {
            assertThat(s.key()).isEqualTo(DenialThrottle.Key.OVERFLOW);
            assertThat(s.count()).isEqualTo(10_000 - 5);
        });
    }

    @Test
    void concurrentNewKeysNeverExceedTheCapAndNoDenialIsLost() throws Exception {
        DenialThrottle throttle = new DenialThrottle(WINDOW, 8);
        int threads = 8;
        int perThread = 5_000;
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger full = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger maxTracked = new java.util.concurrent.atomic.AtomicInteger();
        List<Thread> workers = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int offset = t;
            Thread w = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    if (throttle.admit(key("10." + offset + "." + (i / 256) + "." + (i % 256)), t0)) {
                        full.incrementAndGet();
                    }
                    maxTracked.accumulateAndGet(throttle.trackedKeys(), Math::max);
                }
            });
            workers.add(w);
            w.start();
        }
        go.countDown();
        for (Thread w : workers) {
            w.join();
        }
        assertThat(maxTracked.get()).isLessThanOrEqualTo(8 + 1);
        long summarized = throttle.drain(t0.plus(WINDOW)).stream().mapToLong(DenialThrottle.Summary::count).sum();
        assertThat(full.get() + summarized).isEqualTo((long) threads * perThread);
        // quiet keys are forgotten and give their places back: a new key is recorded in full again
        throttle.drain(t0.plus(WINDOW).plus(WINDOW));
        assertThat(throttle.trackedKeys()).isZero();
        assertThat(throttle.admit(key("192.0.2.1"), t0.plus(WINDOW).plus(WINDOW))).isTrue();
    }

    @Test
    void unwrittenSummariesAreKeptForTheNextWindow() {
        DenialThrottle throttle = new DenialThrottle(WINDOW, 256);
        throttle.admit(key("a"), t0);
        throttle.admit(key("a"), t0.plusSeconds(1));
        throttle.admit(key("a"), t0.plusSeconds(2));
        List<DenialThrottle.Summary> first = throttle.drain(t0.plus(WINDOW));
        throttle.restore(first);
        List<DenialThrottle.Summary> again = throttle.drain(t0.plus(WINDOW).plus(WINDOW));
        assertThat(again).singleElement().satisfies(s -> assertThat(s.count()).isEqualTo(2));
    }
}
