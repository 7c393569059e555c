package io.flagledger.helm;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** HPA, PDB, Services, ServiceMonitors, PrometheusRules, Strimzi KafkaTopics and the install notes. */
class OptionalResourcesTest {

    @Test
    void theOptionalObjectsAreOffByDefault() {
        // (ConfigMaps are always rendered: every service gets the protected environments, see ConfigurationTest)
        assertThat(Chart.defaults().kinds()).doesNotContain("HorizontalPodAutoscaler", "ServiceMonitor", "PrometheusRule",
                "KafkaTopic", "Job");
        assertThat(Chart.defaults().deployment("flag-api").getSpec().getReplicas()).isEqualTo(2);
    }

    @Test
    void autoscalingReplacesTheReplicaCount() {
        Rendered p = Chart.production();
        HorizontalPodAutoscaler hpa = p.ofType(HorizontalPodAutoscaler.class).stream().findFirst().orElseThrow();
        assertThat(p.ofType(HorizontalPodAutoscaler.class)).hasSize(1);
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("flagledger-flag-api");
        assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(3);
        assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(10);
        assertThat(hpa.getSpec().getMetrics().get(0).getResource().getTarget().getAverageUtilization()).isEqualTo(70);
        // The HPA owns the replica count: a fixed one would be reset on every upgrade.
        assertThat(p.deployment("flag-api").getSpec().getReplicas()).isNull();
        assertThat(p.deployment("audit-service").getSpec().getReplicas()).isEqualTo(3);
    }

    @Test
    void podDisruptionBudgetsSelectTheirServicesPods() {
        for (Rendered rendered : List.of(Chart.defaults(), Chart.production())) {
            List<PodDisruptionBudget> pdbs = rendered.ofType(PodDisruptionBudget.class);
            assertThat(pdbs).hasSize(4);
            for (PodDisruptionBudget pdb : pdbs) {
                String component = pdb.getMetadata().getLabels().get(Rendered.COMPONENT);
                assertThat(pdb.getSpec().getSelector().getMatchLabels())
                        .isEqualTo(rendered.deployment(component).getSpec().getSelector().getMatchLabels());
                assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
                assertThat(pdb.getSpec().getUnhealthyPodEvictionPolicy()).isEqualTo("AlwaysAllow");
            }
        }
        assertThat(Chart.render(Map.of("services.auditService.pdb.enabled", false)).ofType(PodDisruptionBudget.class)).hasSize(3);
    }

    @Test
    void servicesRouteToTheirOwnPodsOnly() {
        Rendered d = Chart.defaults();
        for (Service service : d.ofType(Service.class)) {
            String component = service.getMetadata().getLabels().get(Rendered.COMPONENT);
            Deployment deployment = d.deployment(component);
            assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                    .containsAllEntriesOf(service.getSpec().getSelector());
            assertThat(service.getSpec().getSelector()).containsEntry(Rendered.COMPONENT, component);
            assertThat(service.getSpec().getPorts()).singleElement().satisfies(port -> {
                assertThat(port.getName()).isEqualTo("http");
                assertThat(port.getTargetPort().getStrVal()).isEqualTo("http");
            });
        }
    }

    @Test
    void serviceMonitorsScrapeTheQuarkusMetricsEndpoint() {
        Rendered p = Chart.production();
        List<GenericKubernetesResource> monitors = p.ofKind("ServiceMonitor");
        assertThat(monitors).hasSize(4);
        for (GenericKubernetesResource monitor : monitors) {
            assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
            assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
            Map<String, Object> endpoint = monitor.<List<Map<String, Object>>>get("spec", "endpoints").get(0);
            assertThat(endpoint).containsEntry("path", "/q/metrics").containsEntry("port", "http");
            Map<String, String> selector = monitor.get("spec", "selector", "matchLabels");
            String component = monitor.getMetadata().getLabels().get(Rendered.COMPONENT);
            Service service = p.ofType(Service.class).stream()
                    .filter(s -> component.equals(s.getMetadata().getLabels().get(Rendered.COMPONENT))).findFirst().orElseThrow();
            assertThat(service.getMetadata().getLabels()).containsAllEntriesOf(selector);
        }
    }

    @Test
    void prometheusRulesAlertOnTheProductsOwnHealth() {
        Rendered p = Chart.production();
        Map<String, List<String>> alerts = p.ofKind("PrometheusRule").stream().collect(Collectors.toMap(
                r -> r.getMetadata().getLabels().get(Rendered.COMPONENT),
                r -> rules(r).stream().map(rule -> (String) rule.get("alert")).collect(Collectors.toList())));
        assertThat(alerts).containsOnlyKeys("flag-api", "approval-service", "audit-service", "monitor-service");
        assertThat(alerts.get("audit-service")).contains("FlagledgerServiceDown", "FlagledgerAuditIngestionLag",
                "FlagledgerAuditSelfCheckFailed", "FlagledgerAuditCheckpointRefused", "FlagledgerAuditEventsQuarantined");
        assertThat(alerts.get("monitor-service")).contains("FlagledgerServiceDown", "FlagledgerMonitorRevertFailed");
        // Every service with a transactional outbox exposes flagledger_outbox_pending_events and _parked_total.
        for (String withOutbox : List.of("flag-api", "approval-service", "monitor-service")) {
            assertThat(alerts.get(withOutbox)).as(withOutbox).contains("FlagledgerOutboxBacklog", "FlagledgerOutboxEventParked");
        }
        assertThat(alerts.get("audit-service")).doesNotContain("FlagledgerOutboxBacklog", "FlagledgerOutboxEventParked");
        // A single parked row alerts: it is a gap in the ledger, not a backlog that drains by itself.
        assertThat(p.yaml).contains("increase(flagledger_outbox_parked_total{namespace=\\\"flagledger\\\", "
                + "service=\\\"flagledger-flag-api\\\"}[15m]) > 0");
        for (GenericKubernetesResource rule : p.ofKind("PrometheusRule")) {
            for (Map<String, Object> r : rules(rule)) {
                String expr = (String) r.get("expr");
                // Scoped to this release's Service, so two installs in one Prometheus do not mix.
                assertThat(expr).contains("namespace=\"flagledger\"", "service=\"flagledger-");
                assertThat(expr).doesNotContain("{{");
                @SuppressWarnings("unchecked")
                Map<String, String> labels = (Map<String, String>) r.get("labels");
                assertThat(labels).containsKey("severity").containsEntry("team", "platform");
            }
        }
        // Prometheus' own template syntax survives Helm's rendering.
        assertThat(p.yaml).contains("{{ $labels.pod }}");
        assertThat(p.yaml).contains("kafka_consumer_fetch_manager_records_lag_max{namespace=\\\"flagledger\\\", "
                + "service=\\\"flagledger-audit-service\\\"}) > 10000");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rules(GenericKubernetesResource rule) {
        List<Map<String, Object>> groups = rule.get("spec", "groups");
        return (List<Map<String, Object>>) groups.get(0).get("rules");
    }

    @Test
    void strimziTopicsHaveRetentionPartitionsAndSurviveUninstall() {
        Rendered p = Chart.production();
        Map<String, GenericKubernetesResource> topics = p.ofKind("KafkaTopic").stream()
                .collect(Collectors.toMap(t -> t.get("spec", "topicName"), t -> t));
        assertThat(topics).containsOnlyKeys("flag.changes", "approval.events", "monitor.actions", "security.events",
                "service.health");
        for (GenericKubernetesResource topic : topics.values()) {
            assertThat(topic.getApiVersion()).isEqualTo("kafka.strimzi.io/v1beta2");
            assertThat(topic.getMetadata().getNamespace()).isEqualTo("kafka");
            assertThat(topic.getMetadata().getLabels()).containsEntry("strimzi.io/cluster", "events");
            assertThat(topic.getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep");
            assertThat(((Number) topic.get("spec", "replicas")).intValue()).isEqualTo(3);
            Map<String, Object> config = topic.get("spec", "config");
            assertThat(config).containsEntry("min.insync.replicas", 2).containsEntry("cleanup.policy", "delete");
        }
        GenericKubernetesResource flagChanges = topics.get("flag.changes");
        assertThat(((Number) flagChanges.get("spec", "partitions")).intValue()).isEqualTo(12);
        // 30 days, rendered as an integer (Helm would print a large float as 2.592e+09).
        assertThat(flagChanges.<Map<String, Object>>get("spec", "config").get("retention.ms")).isEqualTo(2592000000L);
        assertThat(topics.get("service.health").<Map<String, Object>>get("spec", "config").get("retention.ms"))
                .isEqualTo(86400000);
        assertThat(p.yaml).doesNotContain("e+0");
    }

    @Test
    void installNotesWarnAboutInsecureDefaults() {
        String defaults = notes(List.of());
        assertThat(defaults).contains("trustedKeys is empty", "signs no checkpoint", "kafka.securityProtocol=PLAINTEXT", "oidc.issuer is not an https:// URL",
                "http://flagledger-flag-api.flagledger.svc:8081",
                "services.monitorService.trustedKeys and services.auditService.trustedKeys are empty",
                "services.approvalService.trustedKeys and services.auditService.trustedKeys are empty");
        String production = notes(List.of(Chart.PRODUCTION_VALUES.toString()));
        assertThat(production).doesNotContain("WARNING").contains("audit-service", "http://flagledger-audit-service.flagledger.svc:8083");
    }

    private static String notes(List<String> valuesFiles) {
        var install = new Helm(Chart.DIR).install().withName(Chart.RELEASE).withNamespace(Chart.NAMESPACE)
                .withKubeVersion(Chart.KUBE_VERSION).clientOnly().dryRun();
        for (String file : valuesFiles) {
            install = install.withValuesFile(java.nio.file.Paths.get(file));
        }
        return install.call().getOutput();
    }
}
