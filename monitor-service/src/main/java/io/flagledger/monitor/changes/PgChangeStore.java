package io.flagledger.monitor.changes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagledger.contract.ActorType;
import io.flagledger.contract.Channel;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The change history in monitor-service's PostgreSQL ({@code flag_change}). */
@ApplicationScoped
public class PgChangeStore implements ChangeStore {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Pool pool;

    @Override
    public void save(FlagChange c) {
        pool.preparedQuery("insert into flag_change (event_id, correlation_id, occurred_at, action, project, flag_key, environment, "
                        + "actor_id, actor_type, actor_name, actor_roles, channel, previous_state, new_state, scope, reason, recorded_at) "
                        + "values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) "
                        + "on conflict (event_id) do nothing")
                .execute(Tuple.from(new Object[] {c.eventId(), c.correlationId(), utc(c.timestamp()), c.action(), c.project(),
                        c.flag(), c.environment(), c.actorId(), c.actorType() == null ? null : c.actorType().name(), c.actorName(),
                        c.actorRoles().toArray(new String[0]), c.channel() == null ? null : c.channel().name(),
                        json(c.previousState()), json(c.newState()), json(c.scope()), c.reason(), OffsetDateTime.now(ZoneOffset.UTC)}))
                .await().atMost(TIMEOUT);
    }

    @Override
    public List<FlagChange> loadSince(Instant since) {
        List<FlagChange> changes = new ArrayList<>();
        for (Row r : pool.preparedQuery("select event_id, correlation_id, occurred_at, action, project, flag_key, environment, actor_id, "
                        + "actor_type, actor_name, actor_roles, channel, previous_state, new_state, scope, reason from flag_change "
                        + "where occurred_at >= $1 order by id")
                .execute(Tuple.of(utc(since))).await().atMost(TIMEOUT)) {
            String actorType = r.getString("actor_type");
            String channel = r.getString("channel");
            String[] roles = r.getArrayOfStrings("actor_roles");
            changes.add(new FlagChange(r.getString("event_id"), r.getString("correlation_id"),
                    r.getOffsetDateTime("occurred_at").toInstant(), r.getString("action"), r.getString("project"),
                    r.getString("flag_key"), r.getString("environment"), r.getString("actor_id"),
                    actorType == null ? null : ActorType.valueOf(actorType), r.getString("actor_name"),
                    roles == null ? List.of() : Arrays.asList(roles), channel == null ? null : Channel.valueOf(channel),
                    node(r.getString("previous_state")), node(r.getString("new_state")), node(r.getString("scope")),
                    r.getString("reason")));
        }
        return changes;
    }

    @Override
    public void prune(Instant before) {
        pool.preparedQuery("delete from flag_change where occurred_at < $1").execute(Tuple.of(utc(before))).await().atMost(TIMEOUT);
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static String json(JsonNode node) {
        return node == null ? null : node.toString();
    }

    private static JsonNode node(String text) {
        try {
            return text == null ? null : JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Unreadable stored flag change state", e);
        }
    }
}
