package io.flagledger.flagapi.flags;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.common.actor.Actor;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.RequestMetadata;
import io.flagledger.contract.UuidV7;
import io.flagledger.flagapi.environments.EnvironmentsConfig;
import io.flagledger.flagapi.flags.FlagViews.EnvironmentView;
import io.flagledger.flagapi.flags.FlagViews.FlagView;
import io.flagledger.flagapi.outbox.Outbox;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Applies flag commands: each one changes state and appends its signed event in one transaction. */
@ApplicationScoped
public class FlagChanges {

    static final String SOURCE_SERVICE = "flag-api";

    @Inject
    Outbox outbox;

    @Inject
    EnvironmentsConfig environments;

    /** Who made a change, from where, and why. */
    public record ChangeContext(Actor actor, RequestMetadata request, String correlationId, String reason) {
    }

    @WithTransaction
    public Uni<FlagView> create(String project, FlagRequests.CreateFlag command, ChangeContext context) {
        return Flag.findByKey(project, command.key()).chain(existing -> {
            if (existing != null) {
                throw ProblemException.conflict("Flag '" + command.key() + "' already exists in project '" + project + "'");
            }
            Flag flag = new Flag();
            flag.id = UuidV7.next();
            flag.project = project;
            flag.key = command.key();
            flag.name = command.name();
            flag.description = command.description();
            flag.createdAt = Instant.now();
            flag.createdBy = context.actor().id();
            List<FlagEnvironment> configs = environments.names().stream().map(name -> newEnvironment(flag, name)).toList();
            ObjectNode state = JsonNodeFactory.instance.objectNode();
            state.put("key", flag.key).put("name", flag.name).put("description", flag.description);
            configs.forEach(c -> state.withObject("environments").set(c.environment, environmentState(c)));
            return flag.persist()
                    .chain(() -> FlagEnvironment.persist(configs))
                    .chain(() -> outbox.append(event(project, flag.key, null, "flag.created", null, state, null, context)))
                    .map(event -> view(flag, configs));
        });
    }

    @WithTransaction
    public Uni<EnvironmentView> toggle(String project, String key, String environment, boolean enabled,
                                       Optional<Long> expectedVersion, ChangeContext context) {
        return requireFlag(project, key)
                .chain(flag -> FlagEnvironment.forFlag(flag.id, environment))
                .chain(config -> {
                    if (config == null) {
                        throw ProblemException.notFound("Environment '" + environment + "' does not exist");
                    }
                    if (expectedVersion.isPresent() && expectedVersion.get() != config.version) {
                        throw ProblemException.preconditionFailed("Flag '" + key + "' in '" + environment
                                + "' is at version " + config.version + ", not " + expectedVersion.get() + "; reload and retry");
                    }
                    JsonNode before = environmentState(config);
                    config.enabled = enabled;
                    config.updatedAt = Instant.now();
                    ObjectNode scope = JsonNodeFactory.instance.objectNode().put("field", "enabled");
                    // Flush now so the version the event records is the one the database holds.
                    return config.<FlagEnvironment>persistAndFlush()
                            .chain(saved -> outbox.append(event(project, key, environment, "flag.toggled",
                                    before, environmentState(saved), scope, context)).replaceWith(saved));
                })
                .map(this::view);
    }

    @WithSession
    public Uni<FlagView> get(String project, String key) {
        return requireFlag(project, key).chain(flag -> FlagEnvironment.forFlag(flag.id).map(configs -> view(flag, configs)));
    }

    private static Uni<Flag> requireFlag(String project, String key) {
        return Flag.findByKey(project, key).onItem().ifNull().failWith(
                () -> ProblemException.notFound("Flag '" + key + "' does not exist in project '" + project + "'"));
    }

    private static FlagEnvironment newEnvironment(Flag flag, String name) {
        FlagEnvironment config = new FlagEnvironment();
        config.id = UuidV7.next();
        config.flagId = flag.id;
        config.environment = name;
        config.enabled = false;
        config.updatedAt = flag.createdAt;
        return config;
    }

    private static ObjectNode environmentState(FlagEnvironment config) {
        return JsonNodeFactory.instance.objectNode().put("enabled", config.enabled).put("version", config.version);
    }

    private static AuditEvent event(String project, String key, String environment, String action,
                                    JsonNode before, JsonNode after, JsonNode scope, ChangeContext context) {
        Actor actor = context.actor();
        return AuditEvent.builder()
                .action(action)
                .actorId(actor.id())
                .actorType(actor.type())
                .actorName(actor.name())
                .actorEmail(actor.email())
                .actorRoles(actor.roles())
                .sourceService(SOURCE_SERVICE)
                .project(project)
                .flagId(key)
                .environment(environment)
                .previousState(before)
                .newState(after)
                .scope(scope)
                .correlationId(context.correlationId())
                .reason(context.reason())
                .request(context.request())
                .build();
    }

    private EnvironmentView view(FlagEnvironment config) {
        return new EnvironmentView(config.environment, config.enabled, config.version, environments.isProtected(config.environment));
    }

    private FlagView view(Flag flag, List<FlagEnvironment> configs) {
        return new FlagView(flag.project, flag.key, flag.name, flag.description, configs.stream().map(this::view).toList());
    }
}
