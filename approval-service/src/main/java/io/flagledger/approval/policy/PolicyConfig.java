package io.flagledger.approval.policy;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Approval policies from configuration. A policy matches a change request by project, environment and flag
 * risk ({@code *} matches anything); the most specific matching policy wins. Without a match a protected
 * environment needs what {@code flagledger.protection.*} says (service-common's Protection, which flag-api enforces
 * on the approval token), others none; a matching policy never asks for less than that.
 */
@ConfigMapping(prefix = "flagledger.policies")
public interface PolicyConfig {

    /** A pending request not decided within this time expires. */
    @WithDefault("P7D")
    Duration requestTtl();

    /** Named rules: {@code flagledger.policies.rules."<name>".*}. */
    Map<String, Rule> rules();

    interface Rule {
        @WithDefault("*")
        String project();

        @WithDefault("*")
        String environment();

        @WithDefault("*")
        String risk();

        int approvals();

        /** Each listed role must be held by a different approver. */
        Optional<List<String>> requiredRoles();

        /** Approvals older than this lapse. */
        Optional<Duration> approvalValidity();

        /** e.g. {@code MON-FRI 09:00-17:00 Europe/Amsterdam}; outside it an approved change waits. */
        Optional<String> applyWindow();

        /** {@code auto}: applied as soon as approved; {@code requester}: the requester applies it. */
        @WithDefault("auto")
        String apply();
    }
}
