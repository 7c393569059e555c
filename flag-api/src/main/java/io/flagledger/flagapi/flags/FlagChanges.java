package io.flagledger.flagapi.flags;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.common.actor.Actor;
import io.flagledger.common.problem.Problem;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.RequestMetadata;
import io.flagledger.contract.UuidV7;
import io.flagledger.contract.approval.ApprovalClaims;
import io.flagledger.contract.diff.ConfigDiff;
import io.flagledger.flagapi.approval.ProtectedEnvironmentGate;
import io.flagledger.flagapi.approval.ProtectedWrite;
import io.flagledger.flagapi.edge.EventBudget;
import io.flagledger.common.protection.Protection;
import io.flagledger.flagapi.environments.EnvironmentsConfig;
import io.flagledger.flagapi.evaluation.ConfigValidator;
import io.flagledger.flagapi.evaluation.FlagModel.EnvironmentConfig;
import io.flagledger.flagapi.evaluation.FlagModel.FlagDefinition;
import io.flagledger.flagapi.evaluation.FlagModel.FlagType;
import io.flagledger.flagapi.evaluation.FlagModel.Serve;
import io.flagledger.flagapi.evaluation.FlagModel.Variation;
import io.flagledger.flagapi.flags.FlagViews.EnvironmentView;
import io.flagledger.flagapi.flags.FlagViews.FlagView;
import io.flagledger.flagapi.freeze.Freeze;
import io.flagledger.flagapi.freeze.FreezeView;
import io.flagledger.flagapi.freeze.Freezes;
import io.flagledger.flagapi.freeze.Freezes.Exemption;
import io.flagledger.flagapi.outbox.Outbox;
import io.flagledger.flagapi.security.Grants;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** Applies flag commands: each one changes state and appends its signed event in one transaction. */
@ApplicationScoped
public class FlagChanges {

    static final String SOURCE_SERVICE = "flag-api";
    /** The action of a config replacement (PUT .../environments/{environment}). */
    static final String REPLACED = "flag.environment.updated";
    static final Duration DEFAULT_LIFETIME = Duration.ofDays(90);
    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    Outbox outbox;

    @Inject
    EnvironmentsConfig environments;

    @Inject
    Protection protection;

    @Inject
    ProtectedEnvironmentGate gate;

    @Inject
    Freezes freezes;

    /** Who made a change, from where, why, and what they offer to write a protected environment. */
    public record ChangeContext(Actor actor, RequestMetadata request, String correlationId, String reason,
                                ProtectedWrite offer) {
    }

    @WithTransaction
    public Uni<FlagView> create(String project, FlagRequests.CreateFlag command, ChangeContext context) {
        Flag flag = newFlag(project, command, context);
        EventBudget.require("variations", FlagCodec.tree(FlagCodec.definition(flag).variations()), EventBudget.VARIATIONS_BYTES);
        FlagDefinition definition = FlagCodec.definition(flag);
        String off = Optional.ofNullable(command.offVariation()).orElse(definition.variations().get(1).name());
        String fallthrough = Optional.ofNullable(command.defaultVariation()).orElse(definition.variations().get(0).name());
        EnvironmentConfig initial = new EnvironmentConfig(false, off, List.of(), List.of(), Serve.of(fallthrough));
        List<Problem.FieldError> errors = ConfigValidator.violations(definition, initial);
        if (!errors.isEmpty()) {
            throw new InvalidConfigException(errors);
        }
        // a new flag lands in every environment of the project, so any freeze of the project refuses it
        return freezes.check(project, command.key(), null, Exemption.NONE).chain(() -> Flag.findByKey(project, command.key())).chain(existing -> {
            if (existing != null) {
                throw ProblemException.conflict("Flag '" + command.key() + "' already exists in project '" + project + "'");
            }
            List<FlagEnvironment> configs = environments.names().stream().map(name -> newEnvironment(flag, name, initial)).toList();
            ObjectNode state = (ObjectNode) FlagCodec.tree(view(flag, configs, List.of()));
            EventBudget.require("flag", state, EventBudget.FLAG_BYTES);
            return flag.persist()
                    .chain(() -> FlagEnvironment.persist(configs))
                    .chain(() -> outbox.append(event(project, flag.key, null, "flag.created", null, state,
                            gate.affects(environments.names()), context)))
                    .map(event -> view(flag, configs, List.of()));
        });
    }

    @WithTransaction
    public Uni<EnvironmentView> toggle(String project, String key, String environment, boolean enabled,
                                       Optional<Long> expectedVersion, ChangeContext context) {
        return change(project, key, environment, expectedVersion, "flag.toggled", config -> config.withEnabled(enabled), context);
    }

    @WithTransaction
    public Uni<EnvironmentView> updateEnvironment(String project, String key, String environment, EnvironmentConfig replacement,
                                                  Optional<Long> expectedVersion, ChangeContext context) {
        return change(project, key, environment, expectedVersion, REPLACED, config -> replacement, context);
    }

    /**
     * Changes name, description, owner, expiry, tags, risk or client visibility; the event carries the whole flag
     * before and after. A change of what production serves or of the approval policy of every later change (a lower
     * risk, client visibility either way) needs an approval token.
     */
    @WithTransaction
    public Uni<FlagView> updateMetadata(String project, String key, FlagRequests.UpdateMetadata command,
                                        Optional<Long> expectedVersion, ChangeContext context) {
        return flagChange(project, key, expectedVersion, "flag.metadata.updated", flag -> gate.admitFlagWide(flag,
                ApprovalClaims.METADATA, flag.metadataVersion, command.proposal(),
                Risk.weakens(flag.risk, command.risk()) || exposureChanges(flag, command),
                context.actor().id(), context.offer().approvalToken()), flag -> {
            if (command.name() != null) {
                flag.name = command.name();
            }
            if (command.description() != null) {
                flag.description = command.description();
            }
            if (command.owner() != null) {
                flag.owner = command.owner();
            }
            if (command.expiresAt() != null) {
                flag.expiresAt = command.expiresAt().truncatedTo(ChronoUnit.MICROS);
            }
            if (command.tags() != null) {
                flag.tags = FlagCodec.write(command.tags());
            }
            if (command.risk() != null) {
                flag.risk = command.risk();
            }
            if (command.clientVisible() != null) {
                flag.clientVisible = command.clientVisible();
            }
        }, context);
    }

    /** Client visibility decides what public client SDK keys are served, so changing it either way is gated. */
    private static boolean exposureChanges(Flag flag, FlagRequests.UpdateMetadata command) {
        return command.clientVisible() != null && command.clientVisible() != flag.clientVisible;
    }

    /**
     * Archiving is how flags are deleted: evaluation stops (SDKs get FLAG_NOT_FOUND), history stays, restore undoes it.
     * Both change what every environment serves, so with a protected environment both need an approval token.
     */
    @WithTransaction
    public Uni<FlagView> archive(String project, String key, boolean archived, Optional<Long> expectedVersion,
                                 ChangeContext context) {
        String operation = archived ? ApprovalClaims.ARCHIVE : ApprovalClaims.RESTORE;
        return flagChange(project, key, expectedVersion, archived ? "flag.archived" : "flag.restored", flag -> {
            if (archived == (flag.archivedAt != null)) {
                throw ProblemException.conflict("Flag '" + key + "' is " + (archived ? "already archived" : "not archived"));
            }
            return gate.admitFlagWide(flag, operation, flag.metadataVersion, null, true, context.actor().id(),
                    context.offer().approvalToken());
        }, flag -> flag.archivedAt = archived ? Instant.now().truncatedTo(ChronoUnit.MICROS) : null, context);
    }

    /**
     * A change of the whole flag: {@code admit} sees the flag as it is (locked, at the expected version) and returns
     * the event's scope, or refuses; then {@code edit} changes it.
     */
    private Uni<FlagView> flagChange(String project, String key, Optional<Long> expectedVersion, String action,
                                     java.util.function.Function<Flag, ObjectNode> admit,
                                     java.util.function.Consumer<Flag> edit, ChangeContext context) {
        // a flag-wide change lands in every environment, so any freeze of the project refuses it
        return freezes.check(project, key, null, Exemption.NONE).chain(() -> Flag.findByKeyForUpdate(project, key)).onItem().ifNull().failWith(
                () -> ProblemException.notFound("Flag '" + key + "' does not exist in project '" + project + "'")).chain(flag -> FlagEnvironment.forFlag(flag.id).chain(rows -> {
            if (expectedVersion.isPresent() && expectedVersion.get() != flag.metadataVersion) {
                throw ProblemException.preconditionFailed("Flag '" + key + "' is at metadata version " + flag.metadataVersion
                        + ", not " + expectedVersion.get() + "; reload and retry");
            }
            ObjectNode scope = admit.apply(flag);
            JsonNode before = FlagCodec.tree(view(flag, rows, List.of()));
            edit.accept(flag);
            flag.metadataVersion++;
            FlagView after = view(flag, rows, List.of());
            JsonNode afterState = FlagCodec.tree(after);
            EventBudget.require("flag", afterState, EventBudget.FLAG_BYTES);
            return flag.persistAndFlush().chain(() -> outbox.append(event(project, key, null, action, before,
                    afterState, scope, context))).replaceWith(after);
        }));
    }

    /** One page of a project's flags, by key; {@code after} is the last key of the previous page. */
    @WithSession
    public Uni<FlagViews.FlagPage> list(String project, String after, int limit) {
        return Flag.<Flag>find("project = ?1 and key > ?2 and archivedAt is null order by key", project, after == null ? "" : after)
                .page(0, limit + 1).list()
                .chain(flags -> {
                    List<Flag> page = flags.size() > limit ? flags.subList(0, limit) : flags;
                    List<java.util.UUID> ids = page.stream().map(f -> f.id).toList();
                    if (ids.isEmpty()) {
                        return Uni.createFrom().item(new FlagViews.FlagPage(List.of(), null));
                    }
                    return FlagEnvironment.<FlagEnvironment>list("flagId in ?1", ids).chain(rows -> freezes.active(project).map(active -> new FlagViews.FlagPage(
                            page.stream().map(flag -> view(flag, rows.stream().filter(r -> r.flagId.equals(flag.id)).toList(), active)).toList(),
                            flags.size() > limit ? page.get(page.size() - 1).key : null)));
                });
    }

    @WithSession
    public Uni<FlagView> get(String project, String key) {
        return requireFlag(project, key).chain(flag -> FlagEnvironment.forFlag(flag.id)
                .chain(configs -> freezes.active(project).map(active -> view(flag, configs, active))));
    }

    private Uni<EnvironmentView> change(String project, String key, String environment, Optional<Long> expectedVersion,
                                        String action, UnaryOperator<EnvironmentConfig> edit, ChangeContext context) {
        return flagAndRow(project, key, environment).chain(pair -> {
            Flag flag = (Flag) pair[0];
            FlagEnvironment row = (FlagEnvironment) pair[1];
            if (flag.archivedAt != null) {
                throw ProblemException.conflict("Flag '" + key + "' is archived; restore it before changing it");
            }
            if (row == null) {
                throw ProblemException.notFound("Environment '" + environment + "' does not exist");
            }
            if (expectedVersion.isPresent() && expectedVersion.get() != row.version) {
                throw ProblemException.preconditionFailed("Flag '" + key + "' in '" + environment + "' is at version "
                        + row.version + ", not " + expectedVersion.get() + "; reload and retry");
            }
            EnvironmentConfig before = FlagCodec.config(row);
            EnvironmentConfig after = edit.apply(before);
            FlagDefinition definition = FlagCodec.definition(flag);
            List<Problem.FieldError> errors = new java.util.ArrayList<>(ConfigValidator.violations(definition, after));
            String revertOf = context.offer() == null ? null : context.offer().revertOf();
            if (REPLACED.equals(action) && (revertOf == null || revertOf.isBlank())) {
                // An object flag made while arrays were accepted keeps serving, and a toggle or a revert still passes
                // (it must always be possible to switch it off or back), but its targeting is not rewritten onto them.
                errors.addAll(valueViolations(definition.type(), definition.variations()));
            }
            if (!errors.isEmpty()) {
                throw new InvalidConfigException(errors);
            }
            // each state as a tree once: the budget, the diff and the event's states all read the same two
            JsonNode beforeTree = FlagCodec.tree(before);
            JsonNode afterTree = FlagCodec.tree(after);
            EventBudget.require("config", afterTree, EventBudget.environmentConfigBytes(environments.names().size()));
            long beforeVersion = row.version;
            ProtectedEnvironmentGate.Change change = new ProtectedEnvironmentGate.Change(flag, environment, beforeVersion,
                    before, after, action, context.actor().id(), context.actor().roles(), context.offer());
            Exemption exemption = freezeExemption(change);
            return freezes.check(project, key, environment, exemption).chain(freeze -> gate.admit(change).chain(admission -> {
                row.config = FlagCodec.write(after);
                row.updatedAt = Instant.now();
                ObjectNode scope = ConfigDiff.scope(beforeTree, afterTree);
                scope.setAll(admission.scope());
                if (freeze != null) {
                    scope.set("freeze", Freezes.exemptScope(freeze, exemption));
                }
                // Flush now so the version the event records is the one the database holds.
                return row.<FlagEnvironment>persistAndFlush().chain(saved -> outbox.append(event(project, key, environment,
                        admission.action(), state(beforeTree, beforeVersion), state(afterTree, saved.version),
                        scope, context)).replaceWith(saved)).map(saved -> view(saved, after, freeze));
            }));
        });
    }

    /** The flag and its row in the environment (null when the flag has none); 404 when there is no such flag. */
    private static Uni<Object[]> flagAndRow(String project, String key, String environment) {
        return FlagEnvironment.withFlag(project, key, environment).chain(pair -> pair != null ? Uni.createFrom().item(pair)
                : requireFlag(project, key).map(flag -> new Object[] {flag, null}));
    }

    /**
     * What a freeze lets through: the break-glass kill (the emergency brake must work most of all during an
     * incident) and monitor-service's revert of exactly the latest change (the gate verifies it is one).
     */
    private static Exemption freezeExemption(ProtectedEnvironmentGate.Change change) {
        if (ProtectedEnvironmentGate.isBreakGlass(change)) {
            return Exemption.BREAK_GLASS;
        }
        String revertOf = change.offer() == null ? null : change.offer().revertOf();
        boolean reverter = Grants.mayRevertProtected(change.actorRoles(), change.flag().project, change.environment());
        return revertOf != null && !revertOf.isBlank() && reverter ? Exemption.REVERT : Exemption.NONE;
    }

    /** {@code config} (not changed: it is shared) with the version added. */
    private static JsonNode state(JsonNode config, long version) {
        ObjectNode state = ((ObjectNode) config).deepCopy();
        state.put("version", version);
        return state;
    }

    private static Uni<Flag> requireFlag(String project, String key) {
        return Flag.findByKey(project, key).onItem().ifNull().failWith(
                () -> ProblemException.notFound("Flag '" + key + "' does not exist in project '" + project + "'"));
    }

    private static Flag newFlag(String project, FlagRequests.CreateFlag command, ChangeContext context) {
        FlagType declared = command.type() == null ? FlagType.BOOLEAN : command.type();
        List<Variation> variations = command.variations() == null
                ? defaultVariations(declared)
                : command.variations().stream().map(v -> new Variation(v.name(), v.value())).toList();
        if (variations.stream().map(Variation::name).distinct().count() != variations.size()) {
            throw ProblemException.badRequest("Variation names must be unique");
        }
        List<Problem.FieldError> wrong = valueViolations(declared, variations);
        if (!wrong.isEmpty()) {
            throw new InvalidConfigException(wrong);
        }
        FlagType type = declared.resolve(variations.stream().map(Variation::value).toList());
        variations = variations.stream().map(v -> new Variation(v.name(), type.canonical(v.value()))).toList();
        FlagKind kind = command.kind() == null ? FlagKind.RELEASE : command.kind();
        Flag flag = new Flag();
        flag.id = UuidV7.next();
        flag.project = project;
        flag.key = command.key();
        flag.name = command.name();
        flag.description = command.description();
        // PostgreSQL keeps microseconds; the event must record exactly what the database holds.
        flag.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        flag.createdBy = context.actor().id();
        flag.kind = kind.wireName();
        flag.type = type.name().toLowerCase();
        flag.variations = FlagCodec.write(variations);
        flag.salt = HexFormat.of().formatHex(RANDOM.generateSeed(8));
        flag.owner = Optional.ofNullable(command.owner()).orElse(context.actor().id());
        flag.expiresAt = command.expiresAt() != null ? command.expiresAt().truncatedTo(ChronoUnit.MICROS)
                : kind.isTemporary() ? flag.createdAt.plus(DEFAULT_LIFETIME) : null;
        flag.tags = FlagCodec.write(command.tags() == null ? List.of() : command.tags());
        flag.risk = Optional.ofNullable(command.risk()).orElse("low");
        flag.clientVisible = Boolean.TRUE.equals(command.clientVisible());
        return flag;
    }

    /** One error per variation whose value is not of {@code type}, naming {@code variations[i].value}. */
    static List<Problem.FieldError> valueViolations(FlagType type, List<Variation> variations) {
        String name = type.name().toLowerCase(java.util.Locale.ROOT);
        String article = "aeiou".indexOf(name.charAt(0)) >= 0 ? "an " : "a ";
        List<Problem.FieldError> wrong = new java.util.ArrayList<>();
        for (int i = 0; i < variations.size(); i++) {
            String violation = type.violation(variations.get(i).value());
            if (violation != null) {
                wrong.add(new Problem.FieldError("variations[" + i + "].value", "variation '" + variations.get(i).name()
                        + "' " + violation + " (" + article + name + " flag)"));
            }
        }
        return wrong;
    }

    private static List<Variation> defaultVariations(FlagType type) {
        if (type != FlagType.BOOLEAN) {
            throw ProblemException.badRequest("A " + type.name().toLowerCase() + " flag needs its variations");
        }
        return List.of(new Variation("on", FlagCodec.tree(true)), new Variation("off", FlagCodec.tree(false)));
    }

    private static FlagEnvironment newEnvironment(Flag flag, String name, EnvironmentConfig initial) {
        FlagEnvironment row = new FlagEnvironment();
        row.id = UuidV7.next();
        row.flagId = flag.id;
        row.environment = name;
        row.config = FlagCodec.write(initial);
        row.updatedAt = flag.createdAt;
        return row;
    }

    private static AuditEvent event(String project, String key, String environment, String action,
                                    JsonNode before, JsonNode after, JsonNode scope, ChangeContext context) {
        return context.actor().event(SOURCE_SERVICE, context.request())
                .action(action)
                .project(project)
                .flagId(key)
                .environment(environment)
                .previousState(before)
                .newState(after)
                .scope(scope)
                .correlationId(context.correlationId())
                .reason(context.reason())
                .build();
    }

    private EnvironmentView view(FlagEnvironment row, Freeze frozen) {
        return view(row, FlagCodec.config(row), frozen);
    }

    /** {@code config}: the row's config, when the caller holds it already (no re-parse). */
    private EnvironmentView view(FlagEnvironment row, EnvironmentConfig config, Freeze frozen) {
        return new EnvironmentView(row.environment, config.enabled(), row.version, protection.isProtected(row.environment), config,
                frozen == null ? null : FreezeView.Ref.of(frozen));
    }

    /** {@code active}: the project's active freezes, shown on the flag and on each environment they cover. */
    private FlagView view(Flag flag, List<FlagEnvironment> rows, List<Freeze> active) {
        FlagDefinition definition = FlagCodec.definition(flag);
        return new FlagView(flag.project, flag.key, flag.name, flag.description, FlagKind.fromWire(flag.kind), definition.type(),
                definition.variations(), flag.owner, flag.expiresAt, FlagCodec.tags(flag), flag.risk, flag.clientVisible, flag.archivedAt != null,
                flag.metadataVersion,
                rows.stream().sorted(java.util.Comparator.comparingInt(row -> environments.names().indexOf(row.environment)))
                        .map(row -> view(row, active.stream().filter(f -> f.covers(row.environment)).findFirst().orElse(null))).toList(),
                active.stream().map(FreezeView.Ref::of).toList());
    }
}
