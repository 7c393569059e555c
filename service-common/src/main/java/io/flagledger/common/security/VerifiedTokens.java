package io.flagledger.common.security;

import io.quarkus.security.identity.SecurityIdentity;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bearer tokens whose signature and claims the OIDC extension has verified, so a client that sends the same token
 * again is not verified again (parsing and an RSA check are about a third of a small request's CPU). Keyed by the
 * SHA-256 of the exact token: any other byte string, a re-signed or a truncated token, misses and is verified in
 * full. An entry is served until the earlier of the token's {@code exp} and {@code ttl} after it was verified, and
 * only for the OIDC tenant it was verified for. What it changes: a token whose signing key the provider has withdrawn
 * stays accepted for at most {@code ttl} more (the OIDC extension itself only notices a withdrawn key when it
 * refreshes its key set); expiry and every claim check are unchanged, as they are fixed in the token.
 */
public final class VerifiedTokens {

    private record Entry(SecurityIdentity identity, String tenant, Instant until) {
    }

    private final Duration ttl;
    private final int maxEntries;
    private final Clock clock;
    private final Map<ByteBuffer, Entry> entries = new ConcurrentHashMap<>();

    public VerifiedTokens(Duration ttl, int maxEntries, Clock clock) {
        this.ttl = ttl;
        this.maxEntries = maxEntries;
        this.clock = clock;
    }

    public boolean enabled() {
        return !ttl.isNegative() && !ttl.isZero() && maxEntries > 0;
    }

    /** The identity verified for exactly this token and tenant, if still valid; null otherwise. */
    public SecurityIdentity find(String token, String tenant) {
        if (!enabled()) {
            return null;
        }
        ByteBuffer key = key(token);
        Entry e = entries.get(key);
        if (e == null) {
            return null;
        }
        if (!clock.instant().isBefore(e.until())) {
            entries.remove(key, e);
            return null;
        }
        return e.tenant().equals(tenant) ? e.identity() : null;
    }

    /** Remembers a verified token's identity until the earlier of {@code expiresAt} and now + ttl. */
    public void remember(String token, String tenant, SecurityIdentity identity, Instant expiresAt) {
        if (!enabled()) {
            return;
        }
        Instant now = clock.instant();
        Instant until = now.plus(ttl);
        if (expiresAt.isBefore(until)) {
            until = expiresAt;
        }
        if (!now.isBefore(until)) {
            return;
        }
        if (entries.size() >= maxEntries) {
            entries.values().removeIf(e -> !now.isBefore(e.until()));
            if (entries.size() >= maxEntries) {
                return;
            }
        }
        entries.put(key(token), new Entry(identity, tenant, until));
    }

    int size() {
        return entries.size();
    }

    private static ByteBuffer key(String token) {
        try {
            return ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
