package io.flagledger.audit.proof;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Set;

/**
 * Latency buckets for the two routes that serve proofs, so the ledger's latency goal (p99 ≤ 2 ms) can be read from
 * Prometheus as the share of proofs answered within 2 ms: {@code http_server_requests_seconds_bucket{le="0.002"}}
 * over {@code _count} of the same route (docs/operations.md). Only these routes: every bucket is one more series.
 * The timer runs from the request's headers to the response's end inside the service (authentication, the store,
 * JSON), so a client's figure adds the network and its own scheduling.
 */
@Singleton
public final class ProofLatency {

    /** The routes as the HTTP timer tags them (their templates). */
    public static final String INCLUSION_ROUTE = "/api/v1/audit/events/{eventId}";
    public static final String CONSISTENCY_ROUTE = "/api/v1/audit/proofs/consistency";
    static final Set<String> ROUTES = Set.of(INCLUSION_ROUTE, CONSISTENCY_ROUTE);
    static final double[] BUCKETS_MS = {0.5, 1, 2, 5, 10, 25, 100};

    @Produces
    @Singleton
    MeterFilter proofLatencyBuckets() {
        double[] nanos = new double[BUCKETS_MS.length];
        for (int i = 0; i < nanos.length; i++) {
            nanos[i] = BUCKETS_MS[i] * 1e6;
        }
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (!"http.server.requests".equals(id.getName()) || !ROUTES.contains(id.getTag("uri"))) {
                    return config;
                }
                return DistributionStatisticConfig.builder().serviceLevelObjectives(nanos).build().merge(config);
            }
        };
    }
}
