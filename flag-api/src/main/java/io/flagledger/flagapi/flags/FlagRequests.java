package io.flagledger.flagapi.flags;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagledger.common.text.EventText;
import io.flagledger.contract.EventValidator;
import io.flagledger.flagapi.evaluation.FlagModel.FlagType;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Request bodies of the flag endpoints. */
public final class FlagRequests {

    public static final String KEY_PATTERN = "^[a-z0-9][a-z0-9._-]{0,127}$";
    public static final String NAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$";
    /** Environment names in paths and configuration. */
    public static final String ENV_PATTERN = "^[a-z0-9][a-z0-9-]{0,63}$";
    /** The body's correlationId and the X-Correlation-Id header (edge.CorrelationHeader). */
    public static final String CORRELATION_PATTERN = EventText.CORRELATION_ID;

    private FlagRequests() {
    }

    public record VariationInput(@NotNull @Pattern(regexp = NAME_PATTERN) String name, @NotNull @EventText.Json JsonNode value) {
    }

    /**
     * A new flag. Without variations it is a boolean flag with variations {@code on}/{@code off}; without a kind it
     * is a release flag; temporary kinds without an expiry get one 90 days out.
     */
    @Schema(example = "{\"key\": \"new-checkout\", \"name\": \"New checkout\", \"kind\": \"release\", "
            + "\"owner\": \"team-payments\", \"tags\": [\"checkout\"], \"risk\": \"high\", \"reason\": \"PAY-1234\"}")
    public record CreateFlag(
            @NotNull @Pattern(regexp = KEY_PATTERN, message = "must match " + KEY_PATTERN) String key,
            @NotBlank @Size(max = 200) @EventText.Line String name,
            @Size(max = 2000) @EventText.Free String description,
            @Size(max = EventValidator.MAX_REASON_LENGTH) @EventText.Free String reason,
            FlagKind kind,
            FlagType type,
            @Size(min = 2, max = 20) List<@Valid @NotNull VariationInput> variations,
            @Pattern(regexp = NAME_PATTERN) String offVariation,
            @Pattern(regexp = NAME_PATTERN) String defaultVariation,
            @Size(max = 256) @EventText.Line String owner,
            Instant expiresAt,
            @Size(max = 20) List<@NotBlank @Size(max = 64) @EventText.Line String> tags,
            @Pattern(regexp = "^(low|high)$", message = "must be low or high") String risk,
            @Schema(description = "Whether client (browser/mobile) SDK keys may evaluate the flag; default false")
            Boolean clientVisible) {
    }

    /** Metadata to change; absent fields stay as they are. */
    @Schema(example = "{\"description\": \"The one-page checkout\", \"owner\": \"team-payments\", \"reason\": \"PAY-1240\"}")
    public record UpdateMetadata(
            @Size(min = 1, max = 200) @EventText.Line String name,
            @Size(max = 2000) @EventText.Free String description,
            @Size(max = 256) @EventText.Line String owner,
            Instant expiresAt,
            @Size(max = 20) List<@NotBlank @Size(max = 64) @EventText.Line String> tags,
            @Pattern(regexp = "^(low|high)$", message = "must be low or high") String risk,
            @Schema(description = "Whether client (browser/mobile) SDK keys may evaluate the flag")
            Boolean clientVisible,
            @Size(max = EventValidator.MAX_REASON_LENGTH) @EventText.Free String reason) {

        /**
         * The fields this change sets, as an approval of it hashes them (approval-service files the same object):
         * what is approved is the metadata, not the reason given for it.
         */
        public com.fasterxml.jackson.databind.node.ObjectNode proposal() {
            var node = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            if (name != null) {
                node.put("name", name);
            }
            if (description != null) {
                node.put("description", description);
            }
            if (owner != null) {
                node.put("owner", owner);
            }
            if (expiresAt != null) {
                node.put("expiresAt", expiresAt.toString());
            }
            if (tags != null) {
                tags.forEach(node.putArray("tags")::add);
            }
            if (risk != null) {
                node.put("risk", risk);
            }
            if (clientVisible != null) {
                node.put("clientVisible", clientVisible);
            }
            return node;
        }
    }

    /** Why a flag is archived or restored. */
    @Schema(example = "{\"reason\": \"Fully rolled out since release 42\"}")
    public record Lifecycle(@Size(max = EventValidator.MAX_REASON_LENGTH) @EventText.Free String reason) {
    }

    @Schema(example = "{\"enabled\": true, \"reason\": \"Launch, CHG-881\", \"correlationId\": \"CHG-881\"}")
    public record Toggle(
            @NotNull Boolean enabled,
            @Size(max = EventValidator.MAX_REASON_LENGTH) @EventText.Free String reason,
            @Size(max = 256) @Pattern(regexp = CORRELATION_PATTERN, message = "must be printable ASCII without spaces") String correlationId) {
    }

    /**
     * Replaces an environment's whole targeting configuration. The config stays raw JSON here because an approval
     * token binds the hash of exactly what was approved; {@link FlagCodec#parseConfig} reads it.
     */
    @Schema(example = "{\"config\": {\"enabled\": true, \"offVariation\": \"off\", \"targets\": [], \"rules\": [], "
            + "\"fallthrough\": {\"rollout\": {\"variations\": [{\"variation\": \"on\", \"weight\": 10000}, "
            + "{\"variation\": \"off\", \"weight\": 90000}]}}}, \"reason\": \"10% rollout, CHG-882\", "
            + "\"correlationId\": \"CHG-882\"}")
    public record UpdateEnvironment(
            @NotNull @EventText.Json JsonNode config,
            @Size(max = EventValidator.MAX_REASON_LENGTH) @EventText.Free String reason,
            @Size(max = 256) @Pattern(regexp = CORRELATION_PATTERN, message = "must be printable ASCII without spaces") String correlationId) {
    }
}
