package io.flagledger.audit.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flagledger.contract.merkle.MemoryTree;
import io.flagledger.contract.merkle.NodeId;
import io.flagledger.testsupport.postgres.PostgresDatabase;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * V28 on a ledger written before it (nodes in merkle_node, as bulk loads wrote them with merkle_backfill()): every
 * node moves into the entry that completes it, unchanged, and the tables keep refusing changes afterwards.
 */
class TreeNodesMigrationTest {

    private static final int ENTRIES = 1000;

    @Test
    void anExistingTreeMovesIntoItsEntries() throws Exception {
        try (PostgresDatabase db = PostgresDatabase.create("audit_tree_migration");
             Connection c = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
             Statement st = c.createStatement()) {
            migrate(db, "26");
            st.execute("""
                    insert into ledger_entry (seq, event_id, canonical_json, leaf_hash, received_at, source_topic,
                        source_partition, source_offset, occurred_at, source_service, action, actor_id, actor_type, correlation_id)
                    select g, gen_random_uuid(), '{"n":' || g || '}', sha256('\\x00'::bytea || convert_to('{"n":' || g || '}', 'UTF8')),
                        now(), 'migration', 0, g, now(), 'migration', 'migration', 'migration', 'user', 'migration'
                    from generate_series(1, %d) g""".formatted(ENTRIES));
            st.execute("select merkle_backfill()");
            // An edited node moves as it is: the migration must not repair what the self-check has to report.
            st.execute("alter table merkle_node disable trigger merkle_node_append_only");
            st.execute("update merkle_node set hash = sha256(hash) where level = 3 and idx = 5");

            migrate(db, "latest");

            List<byte[]> leaves = new ArrayList<>();
            try (ResultSet r = st.executeQuery("select leaf_hash from ledger_entry order by seq")) {
                while (r.next()) {
                    leaves.add(r.getBytes(1));
                }
            }
            MemoryTree reference = MemoryTree.of(leaves);
            NodeId edited = new NodeId(3, 5);
            int checked = 0;
            for (int level = 1; (ENTRIES >> level) > 0; level++) {
                for (long idx = 0; idx < (ENTRIES >> level); idx++) {
                    NodeId id = new NodeId(level, idx);
                    byte[] expected = reference.nodes(List.of(id)).get(id);
                    try (ResultSet r = st.executeQuery("select " + MerkleStore.hash(String.valueOf(level), String.valueOf(idx)))) {
                        r.next();
                        byte[] stored = r.getBytes(1);
                        if (id.equals(edited)) {
                            assertThat(stored).as("node %s", id).isEqualTo(MessageDigest.getInstance("SHA-256").digest(expected));
                        } else {
                            assertThat(stored).as("node %s", id).isEqualTo(expected);
                        }
                    }
                    checked++;
                }
            }
            assertThat(checked).isEqualTo(ENTRIES - Integer.bitCount(ENTRIES));

            try (ResultSet r = st.executeQuery("select (select relkind = 'v' from pg_class where oid = to_regclass('merkle_node')), "
                    + "(select count(*) from pg_trigger where tgrelid = 'ledger_entry'::regclass and not tgisinternal "
                    + "and tgenabled <> 'O')")) {
                r.next();
                assertThat(r.getBoolean(1)).as("merkle_node is only the view that refuses outdated writers").isTrue();
                assertThat(r.getLong(2)).as("disabled ledger_entry triggers").isZero();
            }
            assertThatThrownBy(() -> st.execute("update ledger_entry set nodes = null where seq = 2"))
                    .hasMessageContaining("append-only");
        }
    }

    private static void migrate(PostgresDatabase db, String target) {
        Flyway.configure().dataSource(db.jdbcUrl(), db.username(), db.password()).locations("classpath:db/migration")
                .placeholders(Map.of("app_role", "flagledger_audit_writer")).target(target).load().migrate();
    }
}
