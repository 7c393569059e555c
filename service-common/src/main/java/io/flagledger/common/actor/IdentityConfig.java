package io.flagledger.common.actor;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/** How the identity provider's tokens name the person behind an account (several accounts may share one person). */
@ConfigMapping(prefix = "flagledger.identity")
public interface IdentityConfig {

    /**
     * The token claim that names the person, stable across their accounts: {@code email} (used only when
     * {@code email_verified} is true, compared case-insensitively) or any other string claim such as an employee id.
     * Unset: every account is its own person (only {@code sub} is compared).
     */
    Optional<String> personClaim();
}
