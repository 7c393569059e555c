package io.flagledger.monitor.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagledger.monitor.changes.FlagChange;
import java.util.ArrayList;
import java.util.List;

/**
 * What a responder needs next to a detection so they can act without searching: who owns the flag and how risky it
 * is (flag_meta, from flag.created and flag.metadata.updated), who approved the suspect change under which change
 * request, the deployment or pull request the change came with when its event names one, and where to look.
 * Every field may be absent; absent fields are left out of the alert, never sent empty.
 */
public record AlertContext(String owner, String risk, List<String> approvers, String changeRequestId,
                           String deploymentId, String pullRequest, Links links) {

    /** Where the change (with its inclusion proof), the flag's ledger timeline and console page are; each null when its base URL is not configured. */
    public record Links(String ledgerEntry, String timeline, String console, String changeRequest) {
        public static final Links NONE = new Links(null, null, null, null);
    }

    public static final AlertContext NONE = new AlertContext(null, null, List.of(), null, null, null, Links.NONE);

    public AlertContext {
        approvers = approvers == null ? List.of() : List.copyOf(approvers);
        links = links == null ? Links.NONE : links;
    }

    /** Approvers, change request, deployment and pull request as the suspect change's signed event carries them. */
    static AlertContext fromChange(FlagChange suspect, String owner, String risk, Links links) {
        if (suspect == null) {
            return new AlertContext(owner, risk, List.of(), null, null, null, links);
        }
        JsonNode scope = suspect.scope();
        List<String> approvers = new ArrayList<>();
        if (scope != null) {
            scope.path("approval").path("approvers").forEach(a -> {
                if (a.isTextual()) {
                    approvers.add(a.asText());
                }
            });
        }
        return new AlertContext(owner, risk, approvers, suspect.approvalId().orElse(null),
                firstText(scope, "deployment_id", "deployment"), firstText(scope, "pull_request", "pr"), links);
    }

    // CI systems name these differently; the first present wins.
    private static String firstText(JsonNode scope, String... fields) {
        if (scope == null) {
            return null;
        }
        for (String field : fields) {
            JsonNode value = scope.get(field);
            if (value != null && (value.isTextual() || value.isNumber()) && !value.asText().isBlank()) {
                return value.asText();
            }
        }
        return null;
    }
}
