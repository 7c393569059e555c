package io.flagledger.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The audit event envelope, schema versions 1 and 2: the same fields, only the signature differs (version 1 signs
 * each event, version 2 carries a batch signature, see {@link EventSignature}). Its canonical JSON (RFC 8785, see {@link EventJson}) is what gets
 * signed and hashed, so null fields are omitted rather than written as {@code null}.
 *
 * <p>The constructor deep-copies JSON payloads so a signed event cannot be altered through a node the caller
 * still holds, and treats a JSON {@code null} payload like an absent one so both have one canonical form.
 * Do not mutate the nodes returned by the accessors.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AuditEvent(
        @JsonProperty("schema_version") int schemaVersion,
        @JsonProperty("event_id") String eventId,
        @JsonProperty("timestamp")
        @JsonSerialize(using = EventTimestamps.Serializer.class)
        @JsonDeserialize(using = EventTimestamps.Deserializer.class) Instant timestamp,
        @JsonProperty("actor_id") String actorId,
        @JsonProperty("actor_type") ActorType actorType,
        @JsonProperty("actor_name") String actorName,
        @JsonProperty("actor_email") String actorEmail,
        @JsonProperty("actor_roles") List<String> actorRoles,
        @JsonProperty("source_service") String sourceService,
        @JsonProperty("action") String action,
        @JsonProperty("project") String project,
        @JsonProperty("flag_id") String flagId,
        @JsonProperty("environment") String environment,
        @JsonProperty("previous_state") JsonNode previousState,
        @JsonProperty("new_state") JsonNode newState,
        @JsonProperty("scope") JsonNode scope,
        @JsonProperty("correlation_id") String correlationId,
        @JsonProperty("reason") String reason,
        @JsonProperty("request") RequestMetadata request,
        @JsonProperty("signature") EventSignature signature) {

    /** Version of an event signed on its own ({@link EventSigner#sign}); {@link Builder#build()} creates it. */
    public static final int SCHEMA_VERSION = 1;
    /** Version of an event signed in a batch ({@link EventSigner#signBatch}). */
    public static final int SCHEMA_VERSION_BATCH = 2;

    public AuditEvent {
        if (actorRoles != null) {
            if (actorRoles.stream().anyMatch(Objects::isNull)) {
                throw new IllegalArgumentException("actor_roles must not contain null");
            }
            actorRoles = List.copyOf(actorRoles);
        }
        previousState = copyOf(previousState);
        newState = copyOf(newState);
        scope = copyOf(scope);
    }

    private static JsonNode copyOf(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null : node.deepCopy();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder pre-filled with this event's content; the signature is dropped since any edit invalidates it. */
    public Builder toBuilder() {
        return new Builder().eventId(eventId).timestamp(timestamp)
                .actorId(actorId).actorType(actorType).actorName(actorName).actorEmail(actorEmail)
                .actorRoles(actorRoles).sourceService(sourceService).action(action)
                .project(project).flagId(flagId).environment(environment)
                .previousState(previousState).newState(newState).scope(scope)
                .correlationId(correlationId).reason(reason).request(request);
    }

    public AuditEvent withSignature(EventSignature s) {
        return new AuditEvent(schemaVersion, eventId, timestamp, actorId, actorType, actorName, actorEmail,
                actorRoles, sourceService, action, project, flagId, environment, previousState, newState, scope,
                correlationId, reason, request, s);
    }

    /** A copy with another schema version (part of the signed bytes, so any signature is dropped). */
    public AuditEvent withSchemaVersion(int version) {
        return new AuditEvent(version, eventId, timestamp, actorId, actorType, actorName, actorEmail,
                actorRoles, sourceService, action, project, flagId, environment, previousState, newState, scope,
                correlationId, reason, request, null);
    }

    public AuditEvent withoutSignature() {
        return withSignature(null);
    }

    /** Fluent builder; {@link #build()} fills event id, timestamp and schema version. */
    public static final class Builder {
        private String eventId;
        private Instant timestamp;
        private String actorId;
        private ActorType actorType;
        private String actorName;
        private String actorEmail;
        private List<String> actorRoles = List.of();
        private String sourceService;
        private String action;
        private String project;
        private String flagId;
        private String environment;
        private JsonNode previousState;
        private JsonNode newState;
        private JsonNode scope;
        private String correlationId;
        private String reason;
        private RequestMetadata request;

        private Builder() {
        }

        public Builder eventId(String eventId) {
            this.eventId = eventId;
            return this;
        }

        /** Truncated to microseconds: PostgreSQL timestamps hold no more, and the stored event must re-verify. */
        public Builder timestamp(Instant timestamp) {
            this.timestamp = timestamp == null ? null : timestamp.truncatedTo(ChronoUnit.MICROS);
            return this;
        }

        public Builder actorId(String actorId) {
            this.actorId = actorId;
            return this;
        }

        public Builder actorType(ActorType actorType) {
            this.actorType = actorType;
            return this;
        }

        public Builder actorName(String actorName) {
            this.actorName = actorName;
            return this;
        }

        public Builder actorEmail(String actorEmail) {
            this.actorEmail = actorEmail;
            return this;
        }

        /** Sorted and de-duplicated so role order from the identity provider never changes the signature. */
        public Builder actorRoles(Collection<String> roles) {
            if (roles == null) {
                this.actorRoles = List.of();
                return this;
            }
            roles.forEach(r -> Objects.requireNonNull(r, "actor role must not be null"));
            this.actorRoles = List.copyOf(new TreeSet<>(roles));
            return this;
        }

        public Builder actorRoles(String... roles) {
            return actorRoles(roles == null ? null : List.of(roles));
        }

        public Builder sourceService(String sourceService) {
            this.sourceService = sourceService;
            return this;
        }

        public Builder action(String action) {
            this.action = action;
            return this;
        }

        public Builder project(String project) {
            this.project = project;
            return this;
        }

        public Builder flagId(String flagId) {
            this.flagId = flagId;
            return this;
        }

        public Builder environment(String environment) {
            this.environment = environment;
            return this;
        }

        public Builder previousState(JsonNode previousState) {
            this.previousState = previousState;
            return this;
        }

        public Builder newState(JsonNode newState) {
            this.newState = newState;
            return this;
        }

        public Builder scope(JsonNode scope) {
            this.scope = scope;
            return this;
        }

        public Builder correlationId(String correlationId) {
            this.correlationId = correlationId;
            return this;
        }

        public Builder reason(String reason) {
            this.reason = reason;
            return this;
        }

        public Builder request(RequestMetadata request) {
            this.request = request;
            return this;
        }

        public AuditEvent build() {
            String id = eventId != null ? eventId : UuidV7.nextString();
            Instant ts = timestamp != null ? timestamp : Instant.now().truncatedTo(ChronoUnit.MICROS);
            return new AuditEvent(SCHEMA_VERSION, id, ts, actorId, actorType, actorName, actorEmail, actorRoles,
                    sourceService, action, project, flagId, environment, previousState, newState, scope,
                    correlationId, reason, request, null);
        }
    }
}
