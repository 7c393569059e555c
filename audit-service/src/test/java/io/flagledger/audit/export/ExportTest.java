package io.flagledger.audit.export;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import io.flagledger.audit.TestLedger;
import io.flagledger.contract.AuditEvent;
import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.flagledger.verifier.BundleVerifier;
import io.flagledger.verifier.Report;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@QuarkusTest
class ExportTest {

    @Inject
    Pool pool;

    @TempDir
    Path dir;

    private static String exporter() {
        return KeycloakResource.tokenFor("auditor");
    }

    @Test
    void rangeExportVerifiesOfflineAndIsItselfALedgerEvent() throws IOException {
        List<AuditEvent> events = TestLedger.publishFlagEvents("export-" + UUID.randomUUID().toString().substring(0, 8), 7);
        long size = TestLedger.awaitCheckpointCovering(seqOf(events.get(events.size() - 1).eventId())).size();

        Response response = given().auth().oauth2(exporter()).contentType("application/json")
                .body("{\"fromSeq\":1,\"toSeq\":" + size + ",\"reason\":\"Quarterly SOX evidence\",\"ticket\":\"SOX-2026-Q1\"}")
                .post("/api/v1/audit/exports");
        response.then().statusCode(200).contentType("application/zip");
        Path bundle = save(response);
        Report report = new BundleVerifier(List.of(TestLedger.checkpointKey())).verify(bundle);
        assertThat(report.problems()).isEmpty();
        assertThat(report.entries()).isEqualTo(size);
        assertThat(report.summary()).contains("seq 1.." + size, "ticket SOX-2026-Q1: Quarterly SOX evidence");
        try (ZipFile zip = new ZipFile(bundle.toFile())) {
            assertThat(zip.stream().map(e -> e.getName())).containsExactlyInAnyOrder("events.jsonl", "entries.jsonl",
                    "range.json", "checkpoint.txt", "keys.json", "manifest.json", "manifest.sig");
            String manifest = new String(zip.getInputStream(zip.getEntry("manifest.json")).readAllBytes());
            assertThat(manifest).contains("\"ticket\" : \"SOX-2026-Q1\"", "\"exported_by\"", "\"sha256\"");
        }

        // The export is a signed audit-service event in the ledger, by the exporting user, linked to the ticket.
        String exportId = response.header("X-Export-Id");
        long recordedAt = Long.parseLong(response.header("X-Export-Ledger-Seq"));
        var row = pool.preparedQuery("select seq, action, source_service, correlation_id, actor_id, canonical_json "
                + "from ledger_entry where event_id = $1").execute(Tuple.of(UUID.fromString(exportId))).await().indefinitely()
                .iterator().next();
        assertThat(row.getLong("seq")).isEqualTo(recordedAt).isGreaterThan(size);
        assertThat(row.getString("action")).isEqualTo("audit.exported");
        assertThat(row.getString("source_service")).isEqualTo("audit-service");
        assertThat(row.getString("correlation_id")).isEqualTo("SOX-2026-Q1");
        assertThat(row.getString("actor_id")).isNotBlank();
        assertThat(row.getString("canonical_json")).contains(response.header("X-Export-Manifest-Sha256"));

        // A later export covering the export event verifies too: audit-service's own key is in the bundle.
        TestLedger.awaitCheckpointCovering(recordedAt);
        Response later = given().auth().oauth2(exporter()).contentType("application/json")
                .body("{\"fromSeq\":" + recordedAt + ",\"toSeq\":" + recordedAt + ",\"reason\":\"custody check\",\"ticket\":\"SOX-2026-Q1\"}")
                .post("/api/v1/audit/exports");
        later.then().statusCode(200);
        Report laterReport = new BundleVerifier(List.of(TestLedger.checkpointKey())).verify(save(later));
        assertThat(laterReport.problems()).isEmpty();
    }

    @Test
    void filteredExportCarriesInclusionProofs() throws IOException {
        String flag = "export-f-" + UUID.randomUUID().toString().substring(0, 8);
        List<AuditEvent> events = TestLedger.publishFlagEvents(flag, 4);
        TestLedger.awaitCheckpointCovering(seqOf(events.get(events.size() - 1).eventId()));
        Response response = given().auth().oauth2(exporter()).contentType("application/json")
                .body("{\"filter\":{\"flag\":\"" + flag + "\",\"actorType\":\"user\",\"source\":\"flag-api\"},"
                        + "\"reason\":\"incident review\",\"ticket\":\"INC-42\"}")
                .post("/api/v1/audit/exports");
        response.then().statusCode(200);
        Path bundle = save(response);
        Report report = new BundleVerifier(List.of(TestLedger.checkpointKey())).verify(bundle);
        assertThat(report.problems()).isEmpty();
        assertThat(report.entries()).isEqualTo(4);
        try (ZipFile zip = new ZipFile(bundle.toFile())) {
            String entries = new String(zip.getInputStream(zip.getEntry("entries.jsonl")).readAllBytes());
            assertThat(entries.lines()).hasSize(4).allMatch(l -> l.contains("\"proof\":["));
        }
    }

    @Test
    void exportNeedsTheExporterRoleAReasonATicketAndOneSelection() {
        String body = "{\"reason\":\"r\",\"ticket\":\"t\"}";
        given().contentType("application/json").body(body).post("/api/v1/audit/exports").then().statusCode(401);
        given().auth().oauth2(KeycloakResource.tokenFor("admin")).contentType("application/json").body(body)
                .post("/api/v1/audit/exports").then().statusCode(403).contentType("application/problem+json");
        for (String bad : List.of("{\"reason\":", "{\"ticket\":\"t\"}", "{\"reason\":\"r\"}",
                "{\"reason\":\"r\",\"ticket\":\"t\",\"filter\":{\"flag\":\"x\"},\"fromSeq\":1}",
                "{\"reason\":\"r\",\"ticket\":\"t\",\"filter\":{\"actorType\":\"robot\"}}",
                "{\"reason\":\"r\",\"ticket\":\"t\",\"filter\":{\"from\":\"yesterday\"}}",
                "{\"reason\":\"r\",\"ticket\":\"t\",\"fromSeq\":5,\"toSeq\":2}")) {
            given().auth().oauth2(exporter()).contentType("application/json").body(bad).post("/api/v1/audit/exports")
                    .then().statusCode(400).contentType("application/problem+json")
                    .body(containsString("\"status\":400")).body(org.hamcrest.Matchers.not(containsString("Exception")));
        }
        given().auth().oauth2(exporter()).contentType("application/json")
                .body("{\"reason\":\"r\",\"ticket\":\"t\",\"filter\":{\"flag\":\"no-such-flag-anywhere\"}}")
                .post("/api/v1/audit/exports").then().statusCode(404).contentType("application/problem+json");
    }

    private long seqOf(String eventId) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> pool
                .preparedQuery("select count(*) from ledger_entry where event_id = $1").execute(Tuple.of(UUID.fromString(eventId)))
                .await().indefinitely().iterator().next().getLong(0) == 1);
        return pool.preparedQuery("select seq from ledger_entry where event_id = $1").execute(Tuple.of(UUID.fromString(eventId)))
                .await().indefinitely().iterator().next().getLong(0);
    }

    private Path save(Response response) throws IOException {
        Path file = Files.createTempFile(dir, "bundle-", ".zip");
        Files.write(file, response.asByteArray());
        return file;
    }
}
