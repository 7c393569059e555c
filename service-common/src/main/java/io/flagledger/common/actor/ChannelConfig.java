package io.flagledger.common.actor;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;
import java.util.Set;

/**
 * Which OIDC clients are which channel. The channel on an event is derived from how the caller authenticated (the
 * token's {@code azp}, else {@code client_id}), never from what the client declares: a person who omits or forges a
 * header is still seen coming through the client they signed in with.
 */
@ConfigMapping(prefix = "flagledger.channels")
public interface ChannelConfig {

    /** Clients whose tokens are the web console's (a person signed in to the console, or a service misusing it). */
    @WithDefault("flagledger-console")
    Set<String> consoleClients();

    /** Clients CI pipelines sign in with: a person's token through one of them is channel {@code ci}. */
    Optional<Set<String>> ciClients();

    /**
     * Clients meant for machines only (client credentials): a person's token through one of them is channel
     * {@code automation}, which the monitor's unexpected-actor rule flags.
     */
    @WithDefault("approval-service,monitor-service")
    Set<String> automationClients();
}
