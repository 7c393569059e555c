package io.flagledger.common.security;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decides which refused requests the ledger records in full. The first denial of a {@link Key} is recorded; identical
 * ones after it are only counted, and each window that counted any yields one {@link Summary}. A key quiet for a whole
 * window is forgotten (its next denial is recorded in full again). At most {@code maxKeys} keys are tracked; beyond
 * that, denials aggregate into {@link Key#OVERFLOW}, so memory and ledger writes stay bounded whatever the request
 * rate or the number of addresses: per window at most one full event per tracked key and one summary per key.
 */
public final class DenialThrottle {

    /** What makes two denials "the same": who, from where, which refusal, which endpoint (its template, not the raw path). */
    public record Key(String clientAddress, String principal, int status, String method, String endpoint) {
        public static final Key OVERFLOW = new Key("*", "*", 0, "*", "*");
    }

    /** Denials of one key counted but not recorded during one window. */
    public record Summary(Key key, long count, Instant first, Instant last, Duration window) {
    }

    private static final class Window {
        Instant started;
        long suppressed;
        Instant first;
        Instant last;

        Window(Instant started) {
            this.started = started;
        }
    }

    private final Duration window;
    private final int maxKeys;
    private final Map<Key, Window> windows = new ConcurrentHashMap<>();
    /** Keys other than {@link Key#OVERFLOW} held; a key is admitted only if it wins a place here, so no race exceeds the cap. */
    private final AtomicInteger places = new AtomicInteger();

    public DenialThrottle(Duration window, int maxKeys) {
        this.window = window;
        this.maxKeys = maxKeys;
    }

    /** True when this denial is to be recorded in full; otherwise it has been counted for the key's summary. */
    public boolean admit(Key key, Instant now) {
        if (!Key.OVERFLOW.equals(key)) {
            Boolean fresh = count(key, now, true);
            if (fresh != null) {
                return fresh;
            }
        }
        return count(Key.OVERFLOW, now, false);
    }

    /** Counts a denial of {@code key}: true if it opened the key's window, null if a new key found no free place. */
    private Boolean count(Key key, Instant now, boolean needsPlace) {
        Boolean[] outcome = {Boolean.FALSE};
        windows.compute(key, (k, w) -> {
            if (w == null) {
                if (needsPlace && !takePlace()) {
                    outcome[0] = null;
                    return null;
                }
                outcome[0] = Boolean.TRUE;
                return new Window(now);
            }
            if (w.suppressed++ == 0) {
                w.first = now;
            }
            w.last = now;
            return w;
        });
        return outcome[0];
    }

    private boolean takePlace() {
        for (int held = places.get(); held < maxKeys; held = places.get()) {
            if (places.compareAndSet(held, held + 1)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The summaries of the windows that ended by {@code now}. A window with suppressed denials starts the next one (the
     * key stays throttled while the flood lasts); a quiet one is dropped.
     */
    public List<Summary> drain(Instant now) {
        List<Summary> out = new ArrayList<>();
        for (Iterator<Key> it = windows.keySet().iterator(); it.hasNext(); ) {
            Key key = it.next();
            windows.computeIfPresent(key, (k, w) -> {
                if (w.started.plus(window).isAfter(now)) {
                    return w;
                }
                if (w.suppressed == 0) {
                    if (!Key.OVERFLOW.equals(k)) {
                        places.decrementAndGet();
                    }
                    return null;
                }
                out.add(new Summary(k, w.suppressed, w.first, w.last, window));
                return new Window(now);
            });
        }
        return out;
    }

    /** Puts summaries that could not be written back, so their counts are reported with the next window's. */
    public void restore(List<Summary> unwritten) {
        for (Summary s : unwritten) {
            if (!merge(s.key(), s) && !merge(Key.OVERFLOW, s)) {
                throw new IllegalStateException("the overflow key always has a place");
            }
        }
    }

    /** Adds a summary's counts to {@code key}'s window; false if that needs a new place and there is none. */
    private boolean merge(Key key, Summary s) {
        boolean[] merged = {false};
        windows.compute(key, (k, w) -> {
            if (w == null && !Key.OVERFLOW.equals(k) && !takePlace()) {
                return null;
            }
            Window into = w != null ? w : new Window(s.first());
            into.first = into.first == null || s.first().isBefore(into.first) ? s.first() : into.first;
            into.last = into.last == null || s.last().isAfter(into.last) ? s.last() : into.last;
            into.suppressed += s.count();
            merged[0] = true;
            return into;
        });
        return merged[0];
    }

    public int trackedKeys() {
        return windows.size();
    }
}
