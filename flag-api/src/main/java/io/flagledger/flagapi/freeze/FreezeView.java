package io.flagledger.flagapi.freeze;

import java.time.Instant;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A freeze as the API shows it; the lift fields are null while it is active. */
@Schema(example = "{\"id\": \"0193b8a4-6f1e-7c2a-9d4e-5a6b7c8d9e0f\", \"project\": \"shop\", \"environment\": \"production\", "
        + "\"reason\": \"INC-311: checkout errors, no flag changes until resolved\", \"ticket\": \"INC-311\", "
        + "\"setBy\": \"sre\", \"setAt\": \"2026-12-05T22:40:00Z\", \"liftedBy\": null, \"liftedAt\": null, \"liftReason\": null}")
public record FreezeView(UUID id, String project,
                         @Schema(description = "The frozen environment; null freezes every environment of the project")
                         String environment,
                         String reason, String ticket, String setBy, Instant setAt,
                         String liftedBy, Instant liftedAt, String liftReason) {

    static FreezeView of(Freeze f) {
        return new FreezeView(f.id, f.project, f.environment, f.reason, f.ticket, f.setBy, f.setAt, f.liftedBy,
                f.liftedAt, f.liftReason);
    }

    /** What a refused write and a frozen flag view name: the freeze, not its lifting. */
    @Schema(name = "FreezeRef", example = "{\"id\": \"0193b8a4-6f1e-7c2a-9d4e-5a6b7c8d9e0f\", \"environment\": \"production\", "
            + "\"reason\": \"INC-311: checkout errors\", \"ticket\": \"INC-311\", \"setBy\": \"sre\", "
            + "\"setAt\": \"2026-12-05T22:40:00Z\"}")
    public record Ref(UUID id, String environment, String reason, String ticket, String setBy, Instant setAt) {
        public static Ref of(Freeze f) {
            return new Ref(f.id, f.environment, f.reason, f.ticket, f.setBy, f.setAt);
        }
    }
}
