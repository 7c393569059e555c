package io.flagledger.common.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.EventSigner;
import io.flagledger.testsupport.postgres.PostgresDatabaseResource;
import io.flagledger.testsupport.signing.SigningKeyResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A change whose event the contract refuses, through an endpoint as every service writes one: the change and its
 * outbox row in one transaction. The answer is a 4xx problem naming the field, and nothing is written.
 */
@QuarkusTest
@WithTestResource(value = PostgresDatabaseResource.class)
@WithTestResource(value = RestartableKafkaResource.class)
@WithTestResource(value = SigningKeyResource.class)
class EventRefusedEndpointTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TestHTTPResource("/test/changes")
    URI changes;

    @Inject
    Pool pool;

    /** A service's write endpoint in miniature: a state change, then its event through the outbox, one transaction. */
    @Path("/test/changes")
    public static class ChangeResource {

        @Inject
        Pool pool;

        @Inject
        EventSigner signer;

        @POST
        public Uni<Void> change(@QueryParam("reason") String reason, @QueryParam("blob") int blob) {
            AuditEvent event = AuditEvent.builder().actorId("alice").actorType(ActorType.USER).sourceService("outbox-test")
                    .action("flag.toggled").project("shop").flagId("refused").environment("staging")
                    .correlationId("c-1").reason(reason)
                    .newState(JsonNodeFactory.instance.objectNode().put("blob", "x".repeat(blob))).build();
            return pool.withTransaction(tx -> tx.query("insert into refused_change_probe values (1)").execute()
                    .chain(() -> OutboxRecord.sign(signer, event, "outbox.two").insert(tx))).replaceWithVoid();
        }
    }

    @Test
    void aRefusedEventIs400NamingTheFieldAndTheChangeDoesNotTakeEffect() throws Exception {
        prepare();
        HttpResponse<String> response = post("?reason=" + "r".repeat(2001));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/problem+json");
        JsonNode problem = new ObjectMapper().readTree(response.body());
        assertThat(problem.path("errors").get(0).path("field").asText()).isEqualTo("reason");
        assertThat(problem.path("errors").get(0).path("message").asText()).startsWith("must be at most 2000 characters");
        assertThat(written()).as("the change rolled back with its event").isZero();

        assertThat(post("?reason=a%00b").statusCode()).isEqualTo(400);
        assertThat(post("?reason=ok").statusCode()).isEqualTo(204);
        assertThat(written()).as("the change and its event").isEqualTo(2);
    }

    @Test
    void anEventOverTheSizeLimitIs413() throws Exception {
        prepare();
        HttpResponse<String> response = post("?reason=ok&blob=" + (600 * 1024));
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(new ObjectMapper().readTree(response.body()).path("errors").get(0).path("field").asText()).isEqualTo("event");
        assertThat(written()).isZero();
    }

    private void prepare() {
        OutboxTable.create(pool, TIMEOUT);
        pool.query("create table if not exists refused_change_probe (n int)").execute().await().atMost(TIMEOUT);
        pool.query("truncate refused_change_probe").execute().await().atMost(TIMEOUT);
    }

    private long written() {
        return pool.query("select (select count(*) from refused_change_probe) + (select count(*) from outbox_event "
                + "where message_key = 'shop/refused')").execute().await().atMost(TIMEOUT).iterator().next().getLong(0);
    }

    private HttpResponse<String> post(String query) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(changes + query))
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    }
}
