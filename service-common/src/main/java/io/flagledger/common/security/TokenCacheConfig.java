package io.flagledger.common.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** {@link VerifiedTokens}: how long a verified bearer token is remembered, and how many at most. */
@ConfigMapping(prefix = "flagledger.auth.token-cache")
public interface TokenCacheConfig {

    /** At most this long after its verification, and never past its {@code exp}; 0 turns the cache off. */
    @WithDefault("30s")
    Duration ttl();

    /**
     * When full, a newly verified token is not remembered (it is verified again on its next request). An entry is
     * the verified JWT and its identity, a few KB.
     */
    @WithDefault("1000")
    int maxEntries();
}
