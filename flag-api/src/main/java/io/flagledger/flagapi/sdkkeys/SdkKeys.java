package io.flagledger.flagapi.sdkkeys;

import io.flagledger.common.actor.Actor;
import io.flagledger.common.problem.ProblemException;
import io.flagledger.contract.AuditEvent;
import io.flagledger.contract.Hashing;
import io.flagledger.contract.RequestMetadata;
import io.flagledger.contract.UuidV7;
import io.flagledger.flagapi.environments.EnvironmentsConfig;
import io.flagledger.flagapi.flags.FlagCodec;
import io.flagledger.flagapi.outbox.Outbox;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issues, lists and revokes SDK keys. The key is returned once at creation; afterwards only its hash exists.
 * Lookups on the evaluation path hit an in-memory map of hashes, refreshed on every change and periodically
 * (so a revocation on another replica takes effect within the refresh interval).
 */
@ApplicationScoped
public class SdkKeys {

    /** An active key: which one, where it applies, and its kind. */
    public record Scope(UUID id, String project, String environment, String kind) {

        /**
         * A client key is public (shipped in browser or mobile code): it evaluates only client-visible flags and never
         * reads raw configuration. Anything but {@code server} is treated as client, so an unknown kind fails closed.
         */
        public boolean client() {
            return !SERVER.equals(kind);
        }
    }

    public static final String SERVER = "server";

    public record Issued(UUID id, String key, String prefix, String kind, String project, String environment) {
    }

    public record Listed(UUID id, String prefix, String kind, Instant createdAt, String createdBy, Instant revokedAt) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private volatile Map<String, Scope> activeByHash = new ConcurrentHashMap<>();
    /** sha256 of each active key's event-stream token → the key's hash; replaced together with {@link #activeByHash}. */
    private volatile Map<String, String> streamTokens = new ConcurrentHashMap<>();
    /** Bumped by every local issue/revoke, so a reload that raced with one cannot drop or resurrect that key. */
    private final AtomicLong localChanges = new AtomicLong();

    @Inject
    Outbox outbox;

    @Inject
    EnvironmentsConfig environments;

    /** The key from {@code X-API-Key} or {@code Authorization: Bearer}, if it is an active key. */
    public Optional<Scope> authenticate(String authorizationHeader, String apiKeyHeader) {
        String presented = presented(authorizationHeader, apiKeyHeader);
        return presented == null ? Optional.empty() : Optional.ofNullable(activeByHash.get(hash(presented)));
    }

    private static String presented(String authorizationHeader, String apiKeyHeader) {
        String presented = apiKeyHeader;
        if (presented == null && authorizationHeader != null && authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = authorizationHeader.substring(7).trim();
        }
        return presented == null || presented.length() > 200 ? null : presented;
    }

    /**
     * The credential an OFREP event-stream URL carries for the key presented in these headers (browsers' EventSource
     * sends no headers, so the URL must). Derived one-way from the key's stored hash: it is not the key, reveals
     * nothing of it, and opens only the change notifications of the key's environment; revoking the key voids it.
     */
    public Optional<String> eventStreamToken(String authorizationHeader, String apiKeyHeader) {
        String presented = presented(authorizationHeader, apiKeyHeader);
        return presented == null || !activeByHash.containsKey(hash(presented)) ? Optional.empty()
                : Optional.of(streamToken(hash(presented)));
    }

    /** The active key an event-stream token was made for (looked up by its hash, so timing tells nothing of it). */
    public Optional<Scope> authenticateEventStream(String token) {
        if (token == null || token.length() > 200) {
            return Optional.empty();
        }
        String keyHash = streamTokens.get(hash(token));
        return keyHash == null ? Optional.empty() : Optional.ofNullable(activeByHash.get(keyHash));
    }

    private static String streamToken(String keyHash) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                Hashing.sha256(("ofrep-event-stream|" + keyHash).getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The ids of the keys active now, as this replica knows them (revocations elsewhere arrive with the next
     * {@link #refresh()}); open SDK streams are checked against it.
     */
    public Set<UUID> activeIds() {
        Set<UUID> ids = new HashSet<>();
        activeByHash.values().forEach(scope -> ids.add(scope.id()));
        return ids;
    }

    /** The in-memory map changes only after the commit, so a concurrent reload cannot undo it (see {@link #refresh()}). */
    public Uni<Issued> issue(String project, String environment, String kind, Actor actor, RequestMetadata request, String correlationId) {
        requireEnvironment(environment);
        String secret = "fl-" + kind.charAt(0) + "-" + Base64.getUrlEncoder().withoutPadding().encodeToString(RANDOM.generateSeed(24));
        SdkKey row = new SdkKey();
        row.id = UuidV7.next();
        row.project = project;
        row.environment = environment;
        row.kind = kind;
        row.keyHash = hash(secret);
        row.keyPrefix = secret.substring(0, 10);
        row.createdAt = Instant.now();
        row.createdBy = actor.id();
        return Panache.withTransaction(() -> row.persist()
                        .chain(() -> outbox.append(event("sdk-key.created", row, actor, request, correlationId))))
                .invoke(() -> {
                    localChanges.incrementAndGet();
                    activeByHash.put(row.keyHash, new Scope(row.id, project, environment, kind));
                    streamTokens.put(hash(streamToken(row.keyHash)), row.keyHash);
                })
                .map(e -> new Issued(row.id, secret, row.keyPrefix, kind, project, environment));
    }

    public Uni<Void> revoke(String project, String environment, UUID id, Actor actor, RequestMetadata request, String correlationId) {
        return Panache.withTransaction(() -> SdkKey.<SdkKey>findById(id).chain(row -> {
            if (row == null || !row.project.equals(project) || !row.environment.equals(environment)) {
                throw ProblemException.notFound("SDK key " + id + " does not exist in " + project + "/" + environment);
            }
            if (row.revokedAt != null) {
                return Uni.createFrom().item(row.keyHash);
            }
            row.revokedAt = Instant.now();
            return outbox.append(event("sdk-key.revoked", row, actor, request, correlationId)).replaceWith(row.keyHash);
        })).invoke(keyHash -> {
            localChanges.incrementAndGet();
            activeByHash.remove(keyHash);
            streamTokens.remove(hash(streamToken(keyHash)));
        }).replaceWithVoid();
    }

    @WithSession
    public Uni<List<Listed>> list(String project, String environment) {
        return SdkKey.<SdkKey>list("project = ?1 and environment = ?2 order by createdAt", project, environment)
                .map(rows -> rows.stream().map(r -> new Listed(r.id, r.keyPrefix, r.kind, r.createdAt, r.createdBy, r.revokedAt)).toList());
    }

    /**
     * Reloads the active keys; called at start-up, periodically and after local commits. A reload that overlapped a
     * local issue or revoke is discarded: its SELECT may predate that commit; the local change is already in the map
     * and the next reload picks up the rest.
     */
    @WithSession
    public Uni<Void> refresh() {
        long changesBefore = localChanges.get();
        return SdkKey.<SdkKey>list("revokedAt is null").invoke(rows -> {
            Map<String, Scope> fresh = new ConcurrentHashMap<>();
            Map<String, String> tokens = new ConcurrentHashMap<>();
            rows.forEach(r -> {
                fresh.put(r.keyHash, new Scope(r.id, r.project, r.environment, r.kind));
                tokens.put(hash(streamToken(r.keyHash)), r.keyHash);
            });
            if (localChanges.get() == changesBefore) {
                activeByHash = fresh;
                streamTokens = tokens;
            }
        }).replaceWithVoid();
    }

    private void requireEnvironment(String environment) {
        if (!environments.names().contains(environment)) {
            throw ProblemException.notFound("Environment '" + environment + "' does not exist");
        }
    }

    private static String hash(String key) {
        return Hashing.sha256Hex(key.getBytes(StandardCharsets.UTF_8));
    }

    private static AuditEvent event(String action, SdkKey row, Actor actor, RequestMetadata request, String correlationId) {
        return actor.event("flag-api", request)
                .action(action)
                .project(row.project)
                .environment(row.environment)
                .newState(FlagCodec.tree(Map.of("id", row.id.toString(), "kind", row.kind,
                        "prefix", row.keyPrefix, "revoked", row.revokedAt != null)))
                .correlationId(correlationId)
                .build();
    }
}
