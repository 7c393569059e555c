package io.flagledger.common.protection;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Which environments are protected and what an approval of a change there needs: the one definition flag-api
 * (which refuses writes), approval-service (which collects approvals) and monitor-service (which watches changes)
 * all read, so none can think an environment is protected while another does not. The chart renders it from
 * {@code protection} in values.yaml to every service.
 */
@ConfigMapping(prefix = "flagledger.protection")
public interface ProtectionConfig {

    /** The protected environments. Always at least one: an unset list means {@code production}. */
    @WithDefault("production")
    Set<String> protectedEnvironments();

    /** Distinct approvers a change to a protected environment needs unless its entry below says otherwise. */
    @WithDefault("2")
    int defaultMinApprovers();

    /** Per protected environment: {@code flagledger.protection.environments."<name>".*}. */
    Map<String, Requirement> environments();

    interface Requirement {
        /** Distinct approvers (none of them the requester or whoever applies the change); at least 1. */
        OptionalInt minApprovers();

        /** Each listed role must be held by a different approver. */
        Optional<List<String>> requiredRoles();
    }
}
