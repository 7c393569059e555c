package io.flagledger.monitor.signals;

import io.flagledger.monitor.rules.MonitorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Error-rate samples pushed to service.health by sources without Prometheus, per configured application (the consumer
 * drops unknown names), for a bounded time and at most {@code signals.max-samples-per-application} each (the oldest
 * go first): an application pushing faster than expected cannot grow memory.
 */
@ApplicationScoped
public class PushedSamples {

    private final Map<String, Deque<Sample>> byApplication = new ConcurrentHashMap<>();

    @Inject
    Clock clock;

    @Inject
    MonitorConfig config;

    public void add(String application, Sample sample) {
        Deque<Sample> samples = byApplication.computeIfAbsent(application, a -> new ArrayDeque<>());
        synchronized (samples) {
            samples.addLast(sample);
            Instant horizon = clock.instant().minus(config.signals().sampleRetention());
            samples.removeIf(s -> s.at().isBefore(horizon));
            while (samples.size() > config.signals().maxSamplesPerApplication()) {
                samples.removeFirst();
            }
        }
    }

    /** How many samples are held for {@code application} (the bound's test reads it). */
    public int size(String application) {
        return samples(application).size();
    }

    /** The last sample before {@code time}: the baseline before a change. */
    public OptionalDouble before(String application, Instant time) {
        return samples(application).stream().filter(s -> s.at().isBefore(time))
                .reduce((a, b) -> b.at().isBefore(a.at()) ? a : b).map(s -> OptionalDouble.of(s.value())).orElse(OptionalDouble.empty());
    }

    public List<Sample> since(String application, Instant time) {
        return samples(application).stream().filter(s -> !s.at().isBefore(time))
                .sorted(java.util.Comparator.comparing(Sample::at)).toList();
    }

    private List<Sample> samples(String application) {
        Deque<Sample> samples = byApplication.get(application);
        if (samples == null) {
            return List.of();
        }
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }
}
