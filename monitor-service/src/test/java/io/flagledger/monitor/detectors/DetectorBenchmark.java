package io.flagledger.monitor.detectors;

import io.flagledger.contract.ActorType;
import io.flagledger.monitor.changes.FlagChange;
import io.flagledger.monitor.rules.ErrorSpikeRule;
import io.flagledger.monitor.signals.Sample;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;

import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The detector benchmark: a synthetic week of traffic (seeded, so every run sees the same week) with a normal
 * diurnal pattern and injected anomalies, run through the detectors with their default parameters (MonitorConfig);
 * prints false-positive and detection rates. Not a test of thresholds (it asserts nothing); run it with
 * {@code monitor-service/bench/detectors.sh}. The name keeps it out of the default surefire run.
 * <ul>
 * <li>Change rate: 40 people (working hours, weekdays, each with their own rate) and 5 service accounts (around the
 * clock) in 8 projects; 40 bursts injected into days 2 to 7 (8 to 30 extra changes by one actor within 5 to 30
 * minutes).</li>
 * <li>Error rate against exposure: one application, 200 to 5,000 requests a minute following the day, 0.2% errors;
 * 400 changes of exposure 1% to 100%, a quarter of them bad (the exposed requests fail at 5% to 50%); compared with
 * the fixed error-spike rule (5% absolute, 3x baseline) on the same samples.</li>
 * </ul>
 */
class DetectorBenchmark {

    private static final Instant MONDAY = Instant.parse("2026-03-02T00:00:00Z");
    private static final int MINUTES = 7 * 24 * 60;
    private static final long SEED = 20261205L;

    @Test
    void syntheticWeek() {
        long cpu0 = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        changeRate();
        exposure();
        long cpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu0;
        System.out.printf("cpu: %.2f s for both benchmarks%n", cpu / 1e9);
    }

    // ---- change rate ----------------------------------------------------------------------------------------------

    private record Actor(String name, String project, double perHour, boolean service) {
    }

    private record Burst(Actor actor, int startMinute, int minutes, int changes) {
        boolean covers(int minute, int bucketMinutes) {
            return minute >= startMinute && minute <= startMinute + minutes + bucketMinutes;
        }
    }

    private record Change(int minute, int second, Actor actor, boolean injected) {
    }

    private static void changeRate() {
        Random random = new Random(SEED);
        List<Actor> actors = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            // 0.2 to 3 changes an hour at the peak of the working day
            actors.add(new Actor("person-" + i, "project-" + random.nextInt(8), 0.2 * Math.exp(random.nextDouble() * Math.log(15)), false));
        }
        for (int i = 0; i < 5; i++) {
            actors.add(new Actor("service-" + i, "project-" + random.nextInt(8), 1 + 3 * random.nextDouble(), true));
        }
        List<Change> changes = new ArrayList<>();
        for (int minute = 0; minute < MINUTES; minute++) {
            for (Actor a : actors) {
                double lambda = a.perHour() / 60 * (a.service() ? 0.5 + 0.5 * workday(minute) : workday(minute));
                for (int n = poisson(random, lambda); n > 0; n--) {
                    changes.add(new Change(minute, random.nextInt(60), a, false));
                }
            }
        }
        int normal = changes.size();
        List<Burst> bursts = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Actor a = actors.get(random.nextInt(actors.size()));
            Burst b = new Burst(a, 24 * 60 + random.nextInt(6 * 24 * 60 - 60), 5 + random.nextInt(26), 8 + random.nextInt(23));
            bursts.add(b);
            for (int c = 0; c < b.changes(); c++) {
                changes.add(new Change(b.startMinute() + random.nextInt(b.minutes()), random.nextInt(60), a, true));
            }
        }
        changes.sort(java.util.Comparator.comparingInt(Change::minute).thenComparingInt(Change::second));

        ChangeRateDetector.Params params = new ChangeRateDetector.Params(Duration.ofMinutes(10), 0.1, 0.3, 1e-4, 6, 0.5, 36, 10_000);
        int bucketMinutes = 10;
        ChangeRateDetector byActor = new ChangeRateDetector(params);
        ChangeRateDetector byProject = new ChangeRateDetector(params);
        int[] falseAlarms = new int[2];
        boolean[][] detected = new boolean[2][bursts.size()];
        java.util.Set<String> judgedActorBuckets = new java.util.HashSet<>();
        java.util.Set<String> judgedProjectBuckets = new java.util.HashSet<>();
        long nanos = 0;
        for (Change c : changes) {
            Instant at = MONDAY.plusSeconds(c.minute() * 60L + c.second());
            judgedActorBuckets.add(c.actor().name() + "/" + c.minute() / bucketMinutes);
            judgedProjectBuckets.add(c.actor().project() + "/" + c.minute() / bucketMinutes);
            long t0 = System.nanoTime();
            var actorFinding = byActor.observe(c.actor().name(), at);
            var projectFinding = byProject.observe(c.actor().project(), at);
            nanos += System.nanoTime() - t0;
            actorFinding.ifPresent(f -> score(bursts, detected[0], falseAlarms, 0, c, bucketMinutes, b -> b.actor().name().equals(f.key())));
            projectFinding.ifPresent(f -> score(bursts, detected[1], falseAlarms, 1, c, bucketMinutes, b -> b.actor().project().equals(f.key())));
        }
        System.out.printf("change rate: a synthetic week, %d normal changes by %d actors in 8 projects, %d bursts (%d injected changes)%n",
                normal, actors.size(), bursts.size(), changes.size() - normal);
        for (int k = 0; k < 2; k++) {
            int found = 0;
            for (boolean d : detected[k]) {
                found += d ? 1 : 0;
            }
            int judged = k == 0 ? judgedActorBuckets.size() : judgedProjectBuckets.size();
            System.out.printf("  per %-7s detection rate %d/%d = %.0f%%; false alarms %d in the week = %.2e per active %s-bucket (%d active)%n",
                    k == 0 ? "actor:" : "project:", found, bursts.size(), 100.0 * found / bursts.size(), falseAlarms[k],
                    (double) falseAlarms[k] / judged, k == 0 ? "actor" : "project", judged);
        }
        int either = 0;
        for (int i = 0; i < bursts.size(); i++) {
            either += detected[0][i] || detected[1][i] ? 1 : 0;
        }
        System.out.printf("  actor or project: detection rate %d/%d = %.0f%%; %.2f µs per change (both detectors)%n", either, bursts.size(),
                100.0 * either / bursts.size(), nanos / 1e3 / changes.size());
        Map<String, int[]> bySize = new java.util.TreeMap<>();
        for (int i = 0; i < bursts.size(); i++) {
            Burst b = bursts.get(i);
            String size = b.changes() < 15 ? "8-14 changes" : b.changes() < 23 ? "15-22 changes" : "23-30 changes";
            int[] n = bySize.computeIfAbsent(size, s -> new int[2]);
            n[0]++;
            n[1] += detected[0][i] ? 1 : 0;
        }
        bySize.forEach((size, n) -> System.out.printf("  per actor, bursts of %s: %d/%d%n", size, n[1], n[0]));
    }

    private static void score(List<Burst> bursts, boolean[] detected, int[] falseAlarms, int k, Change c, int bucketMinutes,
                              java.util.function.Predicate<Burst> sameKey) {
        boolean explained = false;
        for (int i = 0; i < bursts.size(); i++) {
            if (sameKey.test(bursts.get(i)) && bursts.get(i).covers(c.minute(), bucketMinutes)) {
                detected[i] = true;
                explained = true;
            }
        }
        if (!explained) {
            falseAlarms[k]++;
        }
    }

    // ---- error rate against exposure --------------------------------------------------------------------------------

    private static void exposure() {
        Random random = new Random(SEED + 1);
        double base = 0.002;
        double[] requests = new double[MINUTES];
        double[] rate = new double[MINUTES];
        for (int m = 0; m < MINUTES; m++) {
            requests[m] = 200 + 4800 * workday(m);
            rate[m] = poisson(random, requests[m] * base) / requests[m];
        }
        double[] exposures = {0.01, 0.05, 0.10, 0.25, 0.50, 1.0};
        double[] badRates = {0.05, 0.10, 0.20, 0.50};
        ExposureErrorDetector detector = new ExposureErrorDetector(new ExposureErrorDetector.Params(0.10, 4, 3, 0.0005));
        int[] benign = new int[3]; // changes, exposure detector fired, fixed rule fired
        Map<String, int[]> bad = new java.util.TreeMap<>(); // exposed error rate → changes, exposure fired, fixed fired
        Map<Double, int[]> badByExposure = new java.util.TreeMap<>();
        int window = 15;
        for (int i = 0; i < 400; i++) {
            int at = 60 + i * ((MINUTES - 120) / 400);
            double e = exposures[random.nextInt(exposures.length)];
            boolean isBad = random.nextDouble() < 0.25;
            double q = isBad ? badRates[random.nextInt(badRates.length)] : base;
            List<Double> before = new ArrayList<>();
            for (int m = at - window; m < at; m++) {
                before.add(rate[m]);
            }
            List<Double> after = new ArrayList<>();
            List<Sample> samples = new ArrayList<>();
            for (int m = at; m < at + window; m++) {
                double exposedErrors = poisson(random, requests[m] * e * q);
                double otherErrors = poisson(random, requests[m] * (1 - e) * base);
                double r = (exposedErrors + otherErrors) / requests[m];
                after.add(r);
                samples.add(new Sample(MONDAY.plusSeconds(m * 60L + 30), r));
            }
            boolean byExposure = detector.judge(before, e, after).isPresent();
            boolean byFixed = fixedRuleFires(at, rate[at - 1], samples, e);
            int[] row = isBad ? bad.computeIfAbsent(String.format("%4.0f%%", q * 100), k -> new int[3]) : benign;
            row[0]++;
            row[1] += byExposure ? 1 : 0;
            row[2] += byFixed ? 1 : 0;
            if (isBad && q >= 0.10) {
                int[] x = badByExposure.computeIfAbsent(e, k -> new int[3]);
                x[0]++;
                x[1] += byExposure ? 1 : 0;
                x[2] += byFixed ? 1 : 0;
            }
        }
        System.out.printf("error rate vs exposure: a synthetic week, 200-5000 requests/min, %.1f%% baseline errors, 400 changes%n", base * 100);
        System.out.printf("  benign changes: %d; false alarms: exposure detector %d (%.1f%%), fixed error-spike rule %d (%.1f%%)%n",
                benign[0], benign[1], 100.0 * benign[1] / benign[0], benign[2], 100.0 * benign[2] / benign[0]);
        bad.forEach((q, n) -> System.out.printf("  bad changes, exposed requests failing at %s: %d; detected: exposure detector %d (%.0f%%), fixed rule %d (%.0f%%)%n",
                q, n[0], n[1], 100.0 * n[1] / n[0], n[2], 100.0 * n[2] / n[0]));
        badByExposure.forEach((e, n) -> System.out.printf("  bad (>= 10%%) at exposure %5.1f%%: %d; detected: exposure detector %d, fixed rule %d%n",
                e * 100, n[0], n[1], n[2]));
    }

    /** The shipped ErrorSpikeRule with its default thresholds (5% absolute, 3x a baseline floored at 0.5%). */
    private static boolean fixedRuleFires(int minute, double baseline, List<Sample> samples, double exposure) {
        Instant changeAt = MONDAY.plusSeconds(minute * 60L);
        Clock clock = Clock.fixed(changeAt.plus(Duration.ofMinutes(15)), ZoneOffset.UTC);
        ErrorSpikeRule rule = new ErrorSpikeRule(clock, 0.05, 3, 0.005, Duration.ofMinutes(15));
        FlagChange change = new FlagChange("bench-" + minute, null, changeAt, "flag.environment.updated", "shop", "canary",
                "production", "sub", ActorType.USER, "person", List.of(), null, null, null, null, "exposure " + exposure);
        return rule.evaluate(change, "app", OptionalDouble.of(baseline), samples).isPresent();
    }

    // ---- shared --------------------------------------------------------------------------------------------------

    /** 0..1: the working day (weekdays, peaking early afternoon UTC), near 0 at night and at weekends. */
    private static double workday(int minute) {
        double hour = (minute % (24 * 60)) / 60.0;
        int day = minute / (24 * 60); // 0 = Monday
        double shape = Math.exp(-Math.pow((hour - 13) / 3.0, 2));
        return day >= 5 ? 0.1 * shape : shape;
    }

    private static int poisson(Random random, double lambda) {
        if (lambda <= 0) {
            return 0;
        }
        if (lambda > 50) {
            return (int) Math.max(0, Math.round(lambda + Math.sqrt(lambda) * random.nextGaussian()));
        }
        double limit = Math.exp(-lambda);
        double product = random.nextDouble();
        int n = 0;
        while (product > limit) {
            product *= random.nextDouble();
            n++;
        }
        return n;
    }

}
