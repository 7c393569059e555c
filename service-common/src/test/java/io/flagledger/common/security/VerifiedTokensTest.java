package io.flagledger.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VerifiedTokensTest {

    private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
    private static final SecurityIdentity ALICE = QuarkusSecurityIdentity.builder()
            .setPrincipal(new QuarkusPrincipal("alice")).addRole("reader").build();

    /** A clock the test moves. */
    private static final class Hand extends Clock {
        Instant now = T0;

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void servesTheExactTokenUntilTheTtlEnds() {
        Hand clock = new Hand();
        VerifiedTokens tokens = new VerifiedTokens(Duration.ofSeconds(30), 10, clock);
        tokens.remember("a.b.c", "Default", ALICE, T0.plusSeconds(300));
        assertThat(tokens.find("a.b.c", "Default")).isSameAs(ALICE);
        assertThat(tokens.find("a.b.d", "Default")).as("any other byte string misses").isNull();
        assertThat(tokens.find("a.b.c ", "Default")).isNull();
        clock.now = T0.plusSeconds(29);
        assertThat(tokens.find("a.b.c", "Default")).isSameAs(ALICE);
        clock.now = T0.plusSeconds(30);
        assertThat(tokens.find("a.b.c", "Default")).as("verified again after the ttl").isNull();
        assertThat(tokens.size()).isZero();
    }

    @Test
    void neverServesATokenPastItsExpiry() {
        Hand clock = new Hand();
        VerifiedTokens tokens = new VerifiedTokens(Duration.ofSeconds(30), 10, clock);
        tokens.remember("a.b.c", "Default", ALICE, T0.plusSeconds(5));
        clock.now = T0.plusSeconds(4);
        assertThat(tokens.find("a.b.c", "Default")).isSameAs(ALICE);
        clock.now = T0.plusSeconds(5);
        assertThat(tokens.find("a.b.c", "Default")).isNull();
        tokens.remember("x.y.z", "Default", ALICE, T0.plusSeconds(5));
        assertThat(tokens.find("x.y.z", "Default")).as("already expired: not remembered").isNull();
    }

    @Test
    void servesOnlyTheTenantItWasVerifiedFor() {
        VerifiedTokens tokens = new VerifiedTokens(Duration.ofSeconds(30), 10, new Hand());
        tokens.remember("a.b.c", "Default", ALICE, T0.plusSeconds(300));
        assertThat(tokens.find("a.b.c", "console")).isNull();
        assertThat(tokens.find("a.b.c", "Default")).isSameAs(ALICE);
    }

    @Test
    void aFullCacheDropsExpiredEntriesAndOtherwiseRemembersNothingNew() {
        Hand clock = new Hand();
        VerifiedTokens tokens = new VerifiedTokens(Duration.ofSeconds(30), 2, clock);
        tokens.remember("t1", "Default", ALICE, T0.plusSeconds(10));
        tokens.remember("t2", "Default", ALICE, T0.plusSeconds(300));
        tokens.remember("t3", "Default", ALICE, T0.plusSeconds(300));
        assertThat(tokens.find("t3", "Default")).as("full: t3 is verified again next time").isNull();
        assertThat(tokens.find("t1", "Default")).isSameAs(ALICE);
        clock.now = T0.plusSeconds(10);
        tokens.remember("t3", "Default", ALICE, T0.plusSeconds(300));
        assertThat(tokens.find("t3", "Default")).as("t1 had expired and made room").isSameAs(ALICE);
        assertThat(tokens.size()).isEqualTo(2);
    }

    @Test
    void aTokenIsRememberedNoLongerThanTheOidcExtensionWouldAcceptIt() {
        long iat = T0.getEpochSecond();
        assertThat(BearerTokenCache.validUntil(iat + 300, iat, Optional.empty())).isEqualTo(T0.plusSeconds(300));
        assertThat(BearerTokenCache.validUntil(iat + 300, iat, Optional.of(Duration.ofSeconds(60))))
                .as("quarkus.oidc.token.age").isEqualTo(T0.plusSeconds(60));
        assertThat(BearerTokenCache.validUntil(iat + 300, 0, Optional.of(Duration.ofSeconds(60))))
                .as("no iat with an age limit: already too old").isBefore(T0);
    }

    @Test
    void aZeroTtlTurnsTheCacheOff() {
        VerifiedTokens tokens = new VerifiedTokens(Duration.ZERO, 10, new Hand());
        tokens.remember("a.b.c", "Default", ALICE, T0.plusSeconds(300));
        assertThat(tokens.enabled()).isFalse();
        assertThat(tokens.find("a.b.c", "Default")).isNull();
    }
}
