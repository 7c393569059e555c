package io.flagledger.audit.archive;

import io.flagledger.common.problem.ProblemException;
import io.flagledger.contract.Hashing;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;

/**
 * Payloads that retention moved out of PostgreSQL, read back from their archive segment. The object is checked
 * against the SHA-256 the index recorded before any of it is used. Callers run on a worker thread (blocking reads).
 */
@ApplicationScoped
public class ArchivedPayloads {

    @Inject
    ArchiveStore store;

    /** One export's view: each segment is fetched once. */
    public Reader reader(SqlClient conn) {
        return new Reader(conn);
    }

    public final class Reader {
        private final SqlClient conn;
        private final Map<Long, String> loaded = new HashMap<>();

        private Reader(SqlClient conn) {
            this.conn = conn;
        }

        /** The canonical event stored at {@code seq}, from the archive segment that covers it. */
        public String payload(long seq) {
            String cached = loaded.remove(seq);
            if (cached != null) {
                return cached;
            }
            RowSet<Row> rows = conn.preparedQuery("select object_key, sha256 from archive_segment where store = $1 "
                    + "and first_seq <= $2 and last_seq >= $2").execute(Tuple.of(store.name(), seq)).await().indefinitely();
            if (rows.size() == 0) {
                throw unavailable("seq " + seq + " has no payload and no archive segment in store " + store.name());
            }
            Row segment = rows.iterator().next();
            byte[] object = store.read(segment.getString("object_key"));
            if (!MessageDigest.isEqual(Hashing.sha256(object), segment.getBuffer("sha256").getBytes())) {
                throw unavailable("archive object " + segment.getString("object_key")
                        + " does not match the SHA-256 recorded when it was sealed");
            }
            try {
                loaded.putAll(SegmentCodec.payloads(object));
            } catch (SegmentInvalidException e) {
                throw unavailable("unreadable archive segment " + segment.getString("object_key") + ": " + e.getMessage());
            }
            String payload = loaded.remove(seq);
            if (payload == null) {
                throw unavailable("archive object " + segment.getString("object_key") + " lacks seq " + seq);
            }
            return payload;
        }
    }

    /** The export cannot be complete without this payload: a 503 problem naming why, never a partial bundle or a 500. */
    private static ProblemException unavailable(String why) {
        return new ProblemException(503, "An archived payload could not be read back: " + why);
    }
}
