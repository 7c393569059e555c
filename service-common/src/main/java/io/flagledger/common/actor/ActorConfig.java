package io.flagledger.common.actor;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How tokens mark machine identities. A mapping, read once at start: {@link CurrentActor} is request scoped, and a
 * {@code @ConfigProperty} field there was looked up in the configuration on every request.
 */
@ConfigMapping(prefix = "flagledger.actors")
public interface ActorConfig {

    /** Role that marks a machine identity (client-credentials tokens carry it). */
    @WithDefault("automation")
    String serviceRole();
}
