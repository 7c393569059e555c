package io.flagledger.monitor.detectors;

import io.flagledger.monitor.changes.Exposure;
import io.flagledger.monitor.changes.FlagChange;
import io.flagledger.monitor.changes.FlagKey;
import io.flagledger.monitor.rules.Detection;
import io.flagledger.monitor.rules.MonitorConfig;
import io.flagledger.monitor.rules.RuleMode;
import io.flagledger.monitor.rules.Severity;
import io.flagledger.monitor.signals.Sample;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The statistical detectors as monitor rules: their findings become detections that {@code Actions} records and
 * alerts like any rule's. They alert only: a rate is about many changes, and reverting for error rates is the
 * error-spike rule's decision.
 */
@ApplicationScoped
public class StatisticalDetectors {

    public static final String CHANGE_RATE_ACTOR = "change-rate-actor";
    public static final String CHANGE_RATE_PROJECT = "change-rate-project";
    public static final String EXPOSURE_ERRORS = "exposure-errors";

    @Inject
    MonitorConfig config;

    @Inject
    Clock clock;

    private ChangeRateDetector byActor;
    private ChangeRateDetector byProject;
    private ExposureErrorDetector exposure;
    /** The pre-change samples of an application's current suspect, read once per suspect. */
    private final Map<String, Before> before = new ConcurrentHashMap<>();

    private record Before(String eventId, List<Double> values) {
    }

    private static final int REMEMBERED_EVENTS = 10_000;
    /** Event ids counted recently: a redelivered change is not a second change. */
    private final Map<String, Boolean> counted = new java.util.LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED_EVENTS;
        }
    };

    @PostConstruct
    void init() {
        MonitorConfig.ChangeRate c = config.detectors().changeRate();
        ChangeRateDetector.Params params = new ChangeRateDetector.Params(c.bucket(), c.alpha(), c.seasonalAlpha(), c.pValue(),
                c.minChanges(), c.minBaseline(), c.warmupBuckets(), c.maxKeys());
        byActor = new ChangeRateDetector(params);
        byProject = new ChangeRateDetector(params);
        MonitorConfig.ExposureErrors x = config.detectors().exposureErrors();
        exposure = new ExposureErrorDetector(new ExposureErrorDetector.Params(x.exposedThreshold(), x.z(), x.window(), x.minNoise()));
    }

    /** The mode of a detector's detections, or empty when {@code rule} is not a detector. */
    public Optional<RuleMode> mode(String rule) {
        RuleMode configured = switch (rule) {
            case CHANGE_RATE_ACTOR, CHANGE_RATE_PROJECT -> config.detectors().changeRate().mode();
            case EXPOSURE_ERRORS -> config.detectors().exposureErrors().mode();
            default -> null;
        };
        return Optional.ofNullable(configured).map(m -> m == RuleMode.REVERT ? RuleMode.ALERT : m);
    }

    /** Counts a change for its actor and its project; a detection for each whose rate its baseline does not explain. */
    public synchronized List<Detection> observe(FlagChange change) {
        List<Detection> found = new ArrayList<>();
        if (config.detectors().changeRate().mode() == RuleMode.OFF || change.timestamp() == null
                || counted.put(change.eventId(), Boolean.TRUE) != null) {
            return found;
        }
        String actor = change.actorName() != null ? change.actorName() : change.actorId();
        if (actor != null) {
            byActor.observe(actor, change.timestamp()).ifPresent(f -> found.add(detection(CHANGE_RATE_ACTOR, "actor " + actor, f, change)));
        }
        if (change.project() != null) {
            byProject.observe(change.project(), change.timestamp())
                    .ifPresent(f -> found.add(detection(CHANGE_RATE_PROJECT, "project " + change.project(), f, change)));
        }
        return found;
    }

    private Detection detection(String rule, String who, ChangeRateDetector.Finding f, FlagChange change) {
        var details = Detection.newDetails().put("key", f.key()).put("bucket_start", f.bucketStart().toString())
                .put("bucket_seconds", config.detectors().changeRate().bucket().toSeconds()).put("changes", f.count())
                .put("expected", f.expected()).put("p_value", f.pValue());
        String summary = String.format("%s made %d changes in %d min, %.1f expected (p = %.1e)", who, f.count(),
                config.detectors().changeRate().bucket().toMinutes(), f.expected(), f.pValue());
        // detection.suspect is varchar(300): a long actor name is replaced by its hash, still one subject per bucket
        String keyPart = f.key().length() <= 200 ? f.key()
                : io.flagledger.contract.Hashing.sha256Hex(f.key().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String subject = rule + ":" + keyPart + ":" + f.bucketStart().getEpochSecond();
        // the change that tipped the bucket is named (its ledger entry is linked), but the finding is about the key
        return new Detection(rule, Severity.P2, subject, change, new FlagKey(change.project(), null, null),
                change.correlation(), rule.equals(CHANGE_RATE_ACTOR) ? f.key() : change.actorName(), summary, details,
                clock.instant(), null);
    }

    /**
     * Judges an application's error rate since {@code change} against the share of traffic the change exposed.
     * {@code beforeSamples} reads the samples before the change; it is called once per suspect change.
     */
    public Optional<Detection> judgeExposure(FlagChange change, String application, Supplier<List<Sample>> beforeSamples,
                                             List<Sample> after) {
        if (config.detectors().exposureErrors().mode() == RuleMode.OFF) {
            return Optional.empty();
        }
        double exposed = Exposure.largestRise(change.previousState(), change.newState()) / 100.0;
        if (exposed <= 0) {
            return Optional.empty();
        }
        Before known = before.compute(application, (app, b) -> b != null && b.eventId().equals(change.eventId()) ? b
                : new Before(change.eventId(), beforeSamples.get().stream().map(Sample::value).toList()));
        return exposure.judge(known.values(), exposed, after.stream().map(Sample::value).toList()).map(f -> {
            var details = Detection.newDetails().put("application", application).put("exposure", f.exposure())
                    .put("baseline", f.baseline()).put("error_rate", f.observed()).put("exposed_error_rate", f.exposedErrorRate())
                    .put("exposed_threshold", config.detectors().exposureErrors().exposedThreshold());
            return Detection.of(EXPOSURE_ERRORS, Severity.P2, change, String.format(
                    "%s: %.0f%% of traffic newly exposed by %s fails at about %.1f%% (overall %.2f%%, baseline %.2f%%)",
                    application, f.exposure() * 100, change.key(), f.exposedErrorRate() * 100, f.observed() * 100,
                    f.baseline() * 100), details, clock.instant());
        });
    }
}
