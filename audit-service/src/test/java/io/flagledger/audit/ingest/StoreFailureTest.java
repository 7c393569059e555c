package io.flagledger.audit.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagledger.common.retry.Failures.Kind;
import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which failures quarantine a record (its data) and which are retried until they pass (the moment). */
class StoreFailureTest {

    @ParameterizedTest
    @CsvSource({"22P05, DETERMINISTIC", "22021, DETERMINISTIC", "22001, DETERMINISTIC", "23514, DETERMINISTIC",
            "23502, DETERMINISTIC", "54000, DETERMINISTIC", "23505, TRANSIENT", "40001, TRANSIENT", "40P01, TRANSIENT",
            "57P01, TRANSIENT", "08006, TRANSIENT", "53300, TRANSIENT", "42501, TRANSIENT", "55P03, TRANSIENT",
            "XX000, UNKNOWN", "42P01, UNKNOWN"})
    void classifiesBySqlState(String state, Kind kind) {
        StoreFailure f = StoreFailure.of(new CompletionException(new PgException("boom", "ERROR", state, null)));
        assertThat(f.kind()).isEqualTo(kind);
        assertThat(f.message()).contains("boom", state);
        assertThat(f.signature()).isEqualTo("SQLSTATE " + state);
    }

    @Test
    void connectionTroubleIsTransientAndBadInputDeterministic() {
        assertThat(StoreFailure.of(ClosedConnectionException.INSTANCE).transientFailure()).isTrue();
        assertThat(StoreFailure.of(new VertxException("Timeout", true)).transientFailure()).isTrue();
        assertThat(StoreFailure.of(new IOException("Connection refused")).transientFailure()).isTrue();
        assertThat(StoreFailure.of(new io.vertx.core.impl.NoStackTraceThrowable("Connection is closed")).transientFailure()).isTrue();
        assertThat(StoreFailure.of(new IllegalArgumentException("not a UUID")).kind()).isEqualTo(Kind.DETERMINISTIC);
        assertThat(StoreFailure.of(new IllegalStateException("?")).kind()).isEqualTo(Kind.UNKNOWN);
    }
}
