package io.flagledger.common.security;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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

    public DenialThrottle(Duration window, int maxKeys) {
        this.window = window;
        this.maxKeys = maxKeys;
    }

    /** True when this denial is to be recorded in full; otherwise it has been counted for the key's summary. */
    public boolean admit(Key key, Instant now) {
        Key tracked = windows.containsKey(key) || windows.size() < maxKeys ? key : Key.OVERFLOW;
        boolean[] fresh = {false};
        windows.compute(tracked, (k, w) -> {
            if (w == null) {
                fresh[0] = true;
                return new Window(now);
            }
            if (w.suppressed++ == 0) {
                w.first = now;
            }
            w.last = now;
            return w;
        });
        return fresh[0];
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
            windows.compute(s.key(), (k, w) -> {
                Window merged = w != null ? w : new Window(s.first());
                merged.first = merged.first == null || s.first().isBefore(merged.first) ? s.first() : merged.first;
                merged.last = merged.last == null || s.last().isAfter(merged.last) ? s.last() : merged.last;
                merged.suppressed += s.count();
                return merged;
            });
        }
    }

    public int trackedKeys() {
        return windows.size();
    }
}
