package io.flagledger.monitor.signals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagledger.contract.EventValidator;
import io.flagledger.contract.SafeText;
import io.micrometer.core.instrument.MeterRegistry;
import io.flagledger.common.text.EventText;
import io.flagledger.monitor.rules.MonitorConfig;
import io.flagledger.monitor.verify.RejectedEvents;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import jakarta.inject.Inject;
import java.time.Instant;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Error rates pushed by sources without Prometheus: {@code {"application":"checkout","error_rate":0.07,
 * "timestamp":"2026-11-25T10:00:00Z"}} on service.health. Only applications configured under
 * {@code flagledger.monitor.applications} are believed: a sample naming any other is counted
 * ({@code flagledger.monitor.samples.rejected{reason="unknown-application"}}), and the first one of each name (up to
 * {@value #MAX_UNKNOWN_NAMES} names) is parked in {@code rejected_event} with a security alert; none is kept, so random
 * names cannot grow memory. Who may write which application's samples is Kafka's ACLs: with the chart's Strimzi
 * KafkaUsers each application writes only {@code service.health.<application>}, the monitor subscribes to that
 * pattern and {@code signals.own-topic-required} refuses samples on the shared topic.
 */
@ApplicationScoped
public class ServiceHealthConsumer {

    private static final Logger LOG = Logger.getLogger(ServiceHealthConsumer.class);

    @Inject
    PushedSamples samples;

    @Inject
    ObjectMapper json;

    @Inject
    MeterRegistry registry;

    @Inject
    MonitorConfig config;

    @Inject
    RejectedEvents rejected;

    static final int MAX_UNKNOWN_NAMES = 256;

    /** Per-application topics: {@code service.health.checkout} carries checkout's samples only. */
    public static final String OWN_TOPIC_PREFIX = "service.health.";

    /** Unknown application names already alerted on (bounded: a flood of names alerts for the first ones only). */
    private final Set<String> alertedUnknown = ConcurrentHashMap.newKeySet();

    @Incoming("service-health")
    @Blocking
    public void onSample(ConsumerRecord<String, String> record) {
        String payload = record.value();
        try {
            JsonNode sample = json.readTree(payload);
            double rate = sample.path("error_rate").asDouble(Double.NaN);
            String application = sample.path("application").asText("");
            if (application.isBlank() || Double.isNaN(rate) || rate < 0 || rate > 1 || !sample.hasNonNull("timestamp")) {
                ignore("incomplete", "without application, timestamp or an error_rate in 0..1");
                return;
            }
            // the application's name goes into monitor-service's own signed events: it must be a value they can carry
            if (application.length() > EventValidator.MAX_ID_LENGTH || SafeText.lineViolation(application) != null) {
                ignore("bad-application", "whose application name no event can carry");
                return;
            }
            // On its own topic (service.health.<application>, writable only by that application's Kafka principal: the
            // chart's KafkaUser ACLs) a sample may speak for that application only.
            String topic = record.topic();
            if (topic.startsWith(OWN_TOPIC_PREFIX) ? !topic.substring(OWN_TOPIC_PREFIX.length()).equals(application)
                    : config.signals().ownTopicRequired()) {
                ignore("foreign-topic", "on a topic its application may not write (" + EventText.escape(topic, 64) + ")");
                return;
            }
            if (!config.applications().containsKey(application)) {
                registry.counter("flagledger.monitor.samples.rejected", "reason", RejectedEvents.UNKNOWN_APPLICATION).increment();
                if (alertedUnknown.size() < MAX_UNKNOWN_NAMES && alertedUnknown.add(application)) {
                    rejected.unknownApplication(record.topic(), record.partition(), record.offset(), payload, application);
                }
                return;
            }
            samples.add(application, new Sample(Instant.parse(sample.get("timestamp").asText()), rate));
        } catch (Exception e) {
            // the payload and the parser's message (which quotes it) stay out of the log: they may forge lines
            ignore("unreadable", "that is not readable JSON with an ISO-8601 timestamp (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** Samples are not events: nothing to park, only counted ({@code flagledger.monitor.samples.rejected}) and logged. */
    private void ignore(String reason, String what) {
        registry.counter("flagledger.monitor.samples.rejected", "reason", reason).increment();
        LOG.warnf("Ignoring a service.health sample %s", what);
    }
}
