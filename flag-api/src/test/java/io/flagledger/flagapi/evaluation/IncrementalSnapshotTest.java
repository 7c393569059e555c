package io.flagledger.flagapi.evaluation;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flagledger.flagapi.Approvals;
import io.flagledger.contract.approval.ApprovalTokens;
import io.flagledger.flagapi.ofrep.OfrepFixtures;
import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The snapshot is kept one change at a time (NOTIFY from the writing transaction, then a read of just that flag or
 * those segments): each kind of change must end in exactly the state a full load gives, announced as a patch of just
 * what changed; a change whose notification never came is repaired by the safety-net check.
 */
@QuarkusTest
class IncrementalSnapshotTest {

    private static final String PROJECT = OfrepFixtures.PROJECT;
    private static final Duration BOUND = Duration.ofSeconds(10);

    @Inject
    EvaluationSnapshot snapshot;

    @Inject
    SnapshotRefresher refresher;

    @Inject
    Pool pool;

    private final BlockingQueue<EvaluationSnapshot.Change> patches = new LinkedBlockingQueue<>();
    private Cancellable subscription;

    @BeforeEach
    void subscribe() {
        subscription = snapshot.patches().subscribe().with(patches::add);
    }

    @AfterEach
    void unsubscribe() {
        subscription.cancel();
    }

    @Test
    void aChangeReplacesJustThatFlagAndMatchesAFullLoad() throws Exception {
        String key = OfrepFixtures.flagWithCountryRule("staging");
        await().atMost(BOUND).until(() -> entry("staging", key) != null && entry("staging", key).config().enabled());
        long before = entry("staging", key).version();
        String otherKey = anyOtherKey("staging", key);
        EvaluationSnapshot.Entry other = otherKey == null ? null : entry("staging", otherKey);
        patches.clear();

        toggle(key, false);
        EvaluationSnapshot.Change change = nextPatch(c -> c.flags().containsKey(key));
        assertThat(change.scope()).isEqualTo(PROJECT + "/staging");
        assertThat(change.flags()).containsOnlyKeys(key);
        assertThat(change.flags().get(key).config().enabled()).isFalse();
        assertThat(change.flags().get(key).version()).isGreaterThan(before);
        assertThat(change.environment().sorted()).isSortedAccordingTo(java.util.Comparator.comparing(e -> e.definition().key()));
        if (other != null) {
            // copy-on-write: the other flags are the very same objects, not re-parsed copies
            assertThat(entry("staging", otherKey)).isSameAs(other);
        }
        assertMatchesAFullLoad();
    }

    @Test
    void archiveAndRestoreRemoveAndBringBackTheFlagEverywhere() throws Exception {
        String editor = KeycloakResource.tokenFor("requester");
        String key = OfrepFixtures.flagWithCountryRule("staging");
        await().atMost(BOUND).until(() -> entry("staging", key) != null && entry("production", key) != null);
        patches.clear();

        given().auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("reason", "done"))
                .header(ApprovalTokens.HEADER, Approvals.operationToken(PROJECT, key, "archive", 1, null))
                .post("/api/v1/projects/{p}/flags/{k}/archive", PROJECT, key).then().statusCode(200);
        EvaluationSnapshot.Change archived = nextPatch(c -> c.removedFlags().contains(key));
        assertThat(archived.flags()).isEmpty();
        await().atMost(BOUND).until(() -> entry("staging", key) == null && entry("production", key) == null
                && entry("development", key) == null);
        assertMatchesAFullLoad();

        given().auth().oauth2(editor).contentType(ContentType.JSON).body(Map.of("reason", "needed again"))
                .header(ApprovalTokens.HEADER, Approvals.operationToken(PROJECT, key, "restore", 2, null))
                .post("/api/v1/projects/{p}/flags/{k}/restore", PROJECT, key).then().statusCode(200);
        await().atMost(BOUND).until(() -> entry("staging", key) != null && entry("production", key) != null);
        assertThat(entry("staging", key).metadataVersion()).isEqualTo(3);
        assertThat(entry("staging", key).config().enabled()).isTrue();
        assertMatchesAFullLoad();
    }

    @Test
    void aFlagDeletedFromTheDatabaseDisappears() throws Exception {
        String key = OfrepFixtures.flagWithCountryRule("staging");
        await().atMost(BOUND).until(() -> entry("staging", key) != null);
        patches.clear();
        // No API deletes flags (archive does); an operator's manual fix must still reach every replica.
        pool.withTransaction(sql -> sql.preparedQuery("delete from flag_environment where flag_id = (select id from flag where project = $1 and flag_key = $2)")
                .execute(Tuple.of(PROJECT, key))
                .chain(() -> sql.preparedQuery("delete from flag where project = $1 and flag_key = $2").execute(Tuple.of(PROJECT, key))))
                .await().atMost(BOUND);
        EvaluationSnapshot.Change removed = nextPatch(c -> c.removedFlags().contains(key));
        assertThat(removed.flags()).isEmpty();
        await().atMost(BOUND).until(() -> entry("staging", key) == null && entry("development", key) == null);
        assertMatchesAFullLoad();
    }

    @Test
    void aSegmentChangeReplacesThatEnvironmentsSegments() throws Exception {
        String editor = KeycloakResource.tokenFor("requester");
        String segment = "inc-" + UUID.randomUUID().toString().substring(0, 8);
        patches.clear();
        putSegment(editor, segment, List.of("user-1"));
        EvaluationSnapshot.Change created = nextPatch(c -> c.segments().containsKey(segment));
        assertThat(created.scope()).isEqualTo(PROJECT + "/staging");
        assertThat(created.flags()).isEmpty();
        assertThat(created.segments()).containsOnlyKeys(segment);
        String revision = created.environment().revision();

        putSegment(editor, segment, List.of("user-1", "user-2"));
        EvaluationSnapshot.Change updated = nextPatch(c -> c.segments().containsKey(segment));
        assertThat(updated.segments().get(segment).included()).containsExactlyInAnyOrder("user-1", "user-2");
        assertThat(updated.environment().revision()).isNotEqualTo(revision);
        assertThat(snapshot.environmentOrEmpty(PROJECT, "staging").segments().get(segment).included()).hasSize(2);
        assertMatchesAFullLoad();
    }

    @Test
    void aMissedNotificationIsRepairedByTheSafetyNet() throws Exception {
        String key = OfrepFixtures.flagWithCountryRule("staging");
        await().atMost(BOUND).until(() -> entry("staging", key) != null && entry("staging", key).config().enabled());
        long version = entry("staging", key).version();
        // A change whose NOTIFY never arrives: the trigger is off for this one update.
        pool.withTransaction(sql -> sql.query("alter table flag_environment disable trigger flag_environment_snapshot_notify").execute()
                .chain(() -> sql.preparedQuery("update flag_environment set config = replace(config, '\"enabled\":true', '\"enabled\":false'), "
                        + "version = version + 1 where environment = 'staging' and flag_id = (select id from flag where project = $1 and flag_key = $2)")
                        .execute(Tuple.of(PROJECT, key)))
                .chain(() -> sql.query("alter table flag_environment enable trigger flag_environment_snapshot_notify").execute()))
                .await().atMost(BOUND);
        // full-check-interval is 1 s in tests; a disagreement seen twice for the same database state is repaired.
        long start = System.nanoTime();
        await().atMost(BOUND).until(() -> entry("staging", key).version() == version + 1);
        assertThat(entry("staging", key).config().enabled()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertMatchesAFullLoad();
    }

    private EvaluationSnapshot.Entry entry(String environment, String key) {
        return snapshot.environmentOrEmpty(PROJECT, environment).flags().get(key);
    }

    private String anyOtherKey(String environment, String key) {
        return snapshot.environmentOrEmpty(PROJECT, environment).flags().keySet().stream().filter(k -> !k.equals(key)).findFirst().orElse(null);
    }

    private EvaluationSnapshot.Change nextPatch(java.util.function.Predicate<EvaluationSnapshot.Change> test) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (System.nanoTime() < deadline) {
            EvaluationSnapshot.Change change = patches.poll(100, TimeUnit.MILLISECONDS);
            if (change != null && test.test(change)) {
                return change;
            }
        }
        throw new AssertionError("no matching patch within " + BOUND);
    }

    /** Every environment held incrementally has the revision, flags and segments a fresh full load gives. */
    private void assertMatchesAFullLoad() {
        await().atMost(BOUND).untilAsserted(() -> {
            EvaluationSnapshot fresh = new EvaluationSnapshot();
            refresher.loadAll(fresh).await().atMost(BOUND);
            assertThat(snapshot.revisions()).isEqualTo(withoutEmpty(fresh.revisions()));
            for (String scope : fresh.revisions().keySet()) {
                String[] parts = scope.split("/", 2);
                EvaluationSnapshot.Environment mine = snapshot.environmentOrEmpty(parts[0], parts[1]);
                EvaluationSnapshot.Environment theirs = fresh.environmentOrEmpty(parts[0], parts[1]);
                assertThat(mine.sorted()).extracting(e -> e.definition().key() + "@" + e.version() + "/" + e.metadataVersion() + "/" + e.config())
                        .containsExactlyElementsOf(theirs.sorted().stream()
                                .map(e -> e.definition().key() + "@" + e.version() + "/" + e.metadataVersion() + "/" + e.config()).toList());
                assertThat(mine.segments()).isEqualTo(theirs.segments());
            }
        });
    }

    /** An environment emptied by removals stays held (empty); a full load never creates one. */
    private Map<String, String> withoutEmpty(Map<String, String> revisions) {
        Map<String, String> expected = new java.util.HashMap<>(revisions);
        snapshot.revisions().forEach((scope, revision) -> {
            if (revision.equals(EvaluationSnapshot.Environment.revision(0, 0, 0))) {
                expected.putIfAbsent(scope, revision);
            }
        });
        return expected;
    }

    private static void toggle(String key, boolean enabled) {
        given().auth().oauth2(KeycloakResource.tokenFor("requester")).contentType(ContentType.JSON)
                .body(Map.of("enabled", enabled, "reason", "incremental snapshot test"))
                .post("/api/v1/projects/{p}/flags/{k}/environments/staging/toggle", PROJECT, key).then().statusCode(200);
    }

    private static void putSegment(String token, String segment, List<String> included) {
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("definition", Map.of("included", included), "reason", "incremental snapshot test"))
                .put("/api/v1/projects/{p}/environments/staging/segments/{s}", PROJECT, segment).then().statusCode(200);
    }
}
