package io.flagledger.monitor.signals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Error rates pushed by sources without Prometheus: {@code {"application":"checkout","error_rate":0.07,
 * "timestamp":"2026-11-25T10:00:00Z"}} on service.health.
 */
@ApplicationScoped
public class ServiceHealthConsumer {

    private static final Logger LOG = Logger.getLogger(ServiceHealthConsumer.class);

    @Inject
    PushedSamples samples;

    @Inject
    ObjectMapper json;

    @Incoming("service-health")
    public void onSample(String payload) {
        try {
            JsonNode sample = json.readTree(payload);
            double rate = sample.path("error_rate").asDouble(Double.NaN);
            String application = sample.path("application").asText("");
            if (application.isBlank() || Double.isNaN(rate) || rate < 0 || rate > 1 || !sample.hasNonNull("timestamp")) {
                LOG.warnf("Ignoring a service.health sample without application, timestamp or an error_rate in 0..1: %s", payload);
                return;
            }
            samples.add(application, new Sample(Instant.parse(sample.get("timestamp").asText()), rate));
        } catch (Exception e) {
            LOG.warnf("Ignoring an unreadable service.health sample: %s", e.getMessage());
        }
    }
}
