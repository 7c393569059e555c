package io.flagledger.common.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.pgclient.PgException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Which failures are retried, and the one delay formula. */
class FailuresTest {

    @Test
    void dataAndIntegrityErrorsAreDeterministicEverythingElseTransient() {
        assertThat(Failures.deterministic(pg("22P05"))).isTrue(); // a NUL in text/jsonb
        assertThat(Failures.deterministic(pg("22001"))).isTrue(); // value too long
        assertThat(Failures.deterministic(pg("23514"))).isTrue(); // check constraint
        assertThat(Failures.deterministic(new CompletionException(pg("23505")))).isTrue(); // wrapped
        assertThat(Failures.deterministic(pg("54000"))).isTrue(); // program limit, e.g. an index row too big
        assertThat(Failures.deterministic(pg("40001"))).isFalse(); // serialization failure
        assertThat(Failures.deterministic(pg("57P01"))).isFalse(); // admin shutdown (terminated backend)
        assertThat(Failures.deterministic(pg("42P01"))).isFalse(); // table missing for a while
        assertThat(Failures.deterministic(new IllegalStateException("Connection is closed"))).isFalse();
        assertThat(Failures.deterministic(new IllegalArgumentException("bad input"))).isTrue();
        assertThat(Failures.sqlState(new RuntimeException(pg("22P05")))).isEqualTo("22P05");
    }

    @Test
    void transientFailuresAreRetriedUntilDoneDeterministicOnesHandedOver() {
        AtomicInteger tries = new AtomicInteger();
        Failures.retryTransient("test", () -> {
            if (tries.incrementAndGet() < 3) {
                throw pg("08006");
            }
        }, e -> {
            throw new AssertionError("not deterministic", e);
        });
        assertThat(tries).hasValue(3);

        AtomicReference<RuntimeException> handedOver = new AtomicReference<>();
        AtomicInteger once = new AtomicInteger();
        Failures.retryTransient("test", () -> {
            once.incrementAndGet();
            throw pg("22P05");
        }, handedOver::set);
        assertThat(once).hasValue(1);
        assertThat(handedOver.get()).isInstanceOf(PgException.class);
        assertThatThrownBy(() -> Failures.retryTransient("test", () -> {
            throw pg("23514");
        }, e -> {
            throw e;
        })).isInstanceOf(PgException.class);
    }

    private static PgException pg(String sqlState) {
        return new PgException("failed", "ERROR", sqlState, null);
    }
}
