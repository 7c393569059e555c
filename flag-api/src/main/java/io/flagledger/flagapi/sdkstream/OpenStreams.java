package io.flagledger.flagapi.sdkstream;

import io.flagledger.flagapi.sdkkeys.SdkKeys;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The SDK streams open on this replica: admits new ones within the per-key and total limits, and closes those whose
 * key is no longer active. Revocations on another replica reach {@link SdkKeys} with its periodic refresh, so a
 * stream closes within that refresh plus {@link StreamsConfig#revocationCheckInterval()}.
 */
@ApplicationScoped
public class OpenStreams {

    /** Too many streams for this key or this replica. */
    public static final class LimitReached extends RuntimeException {
        LimitReached(String message) {
            super(message, null, false, false);
        }
    }

    /** One admitted stream; {@link #release()} once it ends, however it ends. */
    public final class Lease {
        private final UUID keyId;
        private final AtomicBoolean released = new AtomicBoolean();
        private boolean revoked;
        private Runnable onRevoked;

        private Lease(UUID keyId) {
            this.keyId = keyId;
        }

        /** What to do when the key is revoked (send a last event and end the stream); runs once, even if registered late. */
        public synchronized void onRevoked(Runnable action) {
            onRevoked = action;
            if (revoked) {
                action.run();
            }
        }

        private synchronized void revoke() {
            if (!revoked) {
                revoked = true;
                if (onRevoked != null) {
                    onRevoked.run();
                }
            }
        }

        public void release() {
            if (released.compareAndSet(false, true)) {
                open.remove(this);
                total.decrementAndGet();
                perKey.computeIfPresent(keyId, (id, n) -> n == 1 ? null : n - 1);
            }
        }
    }

    @Inject
    StreamsConfig config;

    @Inject
    SdkKeys sdkKeys;

    private final Set<Lease> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger total = new AtomicInteger();
    private final Map<UUID, Integer> perKey = new ConcurrentHashMap<>();

    /** Admits a stream for this key, or throws {@link LimitReached}. */
    public Lease admit(SdkKeys.Scope key) {
        if (total.incrementAndGet() > config.maxTotal()) {
            total.decrementAndGet();
            throw new LimitReached("This replica holds its maximum of " + config.maxTotal() + " SDK streams");
        }
        boolean[] admitted = new boolean[1];
        perKey.compute(key.id(), (id, n) -> {
            int current = n == null ? 0 : n;
            admitted[0] = current < config.maxPerKey();
            return admitted[0] ? current + 1 : n;
        });
        if (!admitted[0]) {
            total.decrementAndGet();
            throw new LimitReached("This SDK key holds its maximum of " + config.maxPerKey() + " streams on this replica");
        }
        Lease lease = new Lease(key.id());
        open.add(lease);
        return lease;
    }

    /** Streams open on this replica now. */
    public int count() {
        return total.get();
    }

    @Scheduled(every = "${flagledger.sdk.streams.revocation-check-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void closeRevoked() {
        if (open.isEmpty()) {
            return;
        }
        Set<UUID> active = sdkKeys.activeIds();
        for (Lease lease : open) {
            if (!active.contains(lease.keyId)) {
                lease.revoke();
            }
        }
    }
}
