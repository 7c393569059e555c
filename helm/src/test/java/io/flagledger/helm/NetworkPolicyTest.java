package io.flagledger.helm;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The NetworkPolicies, evaluated the way a CNI would: a connection from pod A to pod B on a port is allowed when B's
 * ingress rules and A's egress rules both allow it (pods no policy selects are unrestricted in that direction).
 */
class NetworkPolicyTest {

    /** A pod: where it runs and what it is labelled. */
    record Pod(String namespace, Map<String, String> namespaceLabels, Map<String, String> labels) {
        static Pod in(String namespace, Map<String, String> labels) {
            return new Pod(namespace, Map.of("kubernetes.io/metadata.name", namespace), labels);
        }
    }

    static final List<String> COMPONENTS = List.of("flag-api", "approval-service", "audit-service", "monitor-service");

    /** The flows between services the product needs, and no other. */
    static final Set<String> INTENDED = Set.of(
            "approval-service -> flag-api", "approval-service -> audit-service", "monitor-service -> flag-api");

    @Test
    void onlyTheIntendedFlowsBetweenServicesAreAllowed() {
        for (Rendered rendered : List.of(Chart.defaults(), Chart.production())) {
            assertThat(allowedFlows(rendered)).containsExactlyInAnyOrderElementsOf(INTENDED);
        }
    }

    @Test
    void withoutPoliciesEverythingWouldBeAllowed() {
        // The evaluator must be able to tell the difference: with networkPolicy.enabled=false all 12 flows are open.
        Rendered open = Chart.render(Map.of("networkPolicy.enabled", false));
        assertThat(open.ofType(NetworkPolicy.class)).isEmpty();
        assertThat(allowedFlows(open)).hasSize(12);
    }

    @Test
    void everyEnabledServiceHasAPolicyForBothDirections() {
        List<NetworkPolicy> policies = Chart.defaults().ofType(NetworkPolicy.class);
        assertThat(policies).hasSize(4);
        assertThat(policies).allSatisfy(p -> assertThat(p.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress"));
        assertThat(Chart.render(Map.of("services.monitorService.enabled", false)).ofType(NetworkPolicy.class)).hasSize(3);
    }

    @Test
    void auditServiceAcceptsOnlyTheConsoleApiCallersAndScrapers() {
        Rendered p = Chart.production();
        Pod audit = pod(p, "audit-service");
        int port = 8083;
        assertThat(allowed(p, pod(p, "approval-service"), audit, port)).as("console").isTrue();
        assertThat(allowed(p, Pod.in("ingress-nginx", Map.of("app.kubernetes.io/name", "ingress-nginx")), audit, port)).isTrue();
        assertThat(allowed(p, Pod.in("monitoring", Map.of("app.kubernetes.io/name", "prometheus")), audit, port)).isTrue();
        assertThat(allowed(p, pod(p, "flag-api"), audit, port)).as("flag-api").isFalse();
        assertThat(allowed(p, pod(p, "monitor-service"), audit, port)).as("monitor-service").isFalse();
        assertThat(allowed(p, Pod.in("monitoring", Map.of("app.kubernetes.io/name", "grafana")), audit, port)).isFalse();
        assertThat(allowed(p, Pod.in("default", Map.of("app", "anything")), audit, port)).isFalse();
        assertThat(allowed(p, Pod.in(Chart.NAMESPACE, Map.of("app", "intruder")), audit, port)).isFalse();
        assertThat(allowed(p, pod(p, "approval-service"), audit, 5432)).as("other port").isFalse();
    }

    @Test
    void monitorServiceReachesFlagApiPrometheusAndAlertmanagerOnly() {
        Rendered p = Chart.production();
        Pod monitor = pod(p, "monitor-service");
        Pod prometheus = Pod.in("monitoring", Map.of("app.kubernetes.io/name", "prometheus"));
        Pod alertmanager = Pod.in("monitoring", Map.of("app.kubernetes.io/name", "alertmanager"));
        assertThat(egressAllowed(p, monitor, prometheus, 9090)).isTrue();
        assertThat(egressAllowed(p, monitor, alertmanager, 9093)).isTrue();
        assertThat(egressAllowed(p, monitor, pod(p, "flag-api"), 8081)).isTrue();
        assertThat(egressAllowed(p, monitor, pod(p, "audit-service"), 8083)).isFalse();
        assertThat(egressAllowed(p, monitor, Pod.in("default", Map.of()), 443)).isFalse();
        // Only monitor-service may query Prometheus.
        for (String other : List.of("flag-api", "approval-service", "audit-service")) {
            assertThat(egressAllowed(p, pod(p, other), prometheus, 9090)).as(other).isFalse();
        }
    }

    @Test
    void productionEgressIsNarrowedToTheBackingServices() {
        Rendered p = Chart.production();
        Pod flagApi = pod(p, "flag-api");
        Pod postgres = Pod.in("databases", Map.of("cnpg.io/cluster", "flagledger-pg"));
        Pod kafka = Pod.in("kafka", Map.of("strimzi.io/cluster", "events"));
        Pod dns = Pod.in("kube-system", Map.of("k8s-app", "kube-dns"));
        assertThat(egressAllowed(p, flagApi, postgres, 5432)).isTrue();
        assertThat(egressAllowed(p, flagApi, kafka, 9093)).isTrue();
        assertThat(egressAllowed(p, flagApi, dns, 53)).isTrue();
        assertThat(egressAllowed(p, flagApi, Pod.in("databases", Map.of("cnpg.io/cluster", "other")), 5432)).isFalse();
        assertThat(egressAllowed(p, flagApi, Pod.in("default", Map.of()), 5432)).isFalse();
        assertThat(egressAllowed(p, flagApi, kafka, 9092)).as("plaintext listener").isFalse();
        // With the defaults, the backing services may be anywhere, but only on their ports.
        Rendered d = Chart.defaults();
        assertThat(egressAllowed(d, pod(d, "flag-api"), Pod.in("anywhere", Map.of()), 5432)).isTrue();
        assertThat(egressAllowed(d, pod(d, "flag-api"), Pod.in("anywhere", Map.of()), 22)).isFalse();
    }

    @Test
    void archiveAndSiemEgressExistOnlyForAuditServiceAndOnlyWhenEnabled() {
        Rendered p = Chart.production();
        assertThat(egressPorts(p, "audit-service")).contains(6514, 8088);
        assertThat(egressPorts(p, "flag-api")).doesNotContain(6514, 8088);
        assertThat(egressPorts(Chart.defaults(), "audit-service")).doesNotContain(6514, 8088, 514);
    }

    @Test
    void webhookEgressOnlyForTheServicesThatPostToAWebhook() {
        Rendered p = Chart.production();
        Pod proxy = Pod.in("egress-proxy", Map.of("app", "squid"));
        assertThat(egressAllowed(p, pod(p, "approval-service"), proxy, 443)).isTrue();
        assertThat(egressAllowed(p, pod(p, "monitor-service"), proxy, 443)).isTrue();
        assertThat(egressAllowed(p, pod(p, "flag-api"), proxy, 443)).isFalse();
        assertThat(egressAllowed(p, pod(p, "audit-service"), proxy, 443)).isFalse();
        // Without a webhook Secret there is no webhook rule (a port only the webhook rule lists stays closed).
        Rendered d = Chart.render(Map.of("networkPolicy.egress.webhooks.ports[0].port", 4443));
        assertThat(egressPorts(d, "approval-service")).doesNotContain(4443);
        Rendered hook = Chart.render(Map.of("networkPolicy.egress.webhooks.ports[0].port", 4443,
                "services.approvalService.notifications.webhookUrlSecret.name", "chat"));
        assertThat(egressAllowed(hook, pod(hook, "approval-service"), Pod.in("anywhere", Map.of()), 4443)).isTrue();
        assertThat(egressPorts(hook, "monitor-service")).doesNotContain(4443);
        Rendered monitorHook = Chart.render(Map.of("networkPolicy.egress.webhooks.ports[0].port", 4443,
                "services.monitorService.webhook.urlSecret.name", "chat"));
        assertThat(egressPorts(monitorHook, "monitor-service")).contains(4443);
        assertThat(egressPorts(monitorHook, "approval-service")).doesNotContain(4443);
    }

    @Test
    void monitorServiceReachesFlagApiPrometheusAndAlertmanager() {
        Rendered d = Chart.defaults();
        Pod monitor = pod(d, "monitor-service");
        Pod prometheus = Pod.in("monitoring", Map.of("app.kubernetes.io/name", "prometheus"));
        assertThat(egressAllowed(d, monitor, prometheus, 9090)).isTrue();
        assertThat(egressAllowed(d, monitor, prometheus, 9093)).isTrue();
        assertThat(egressAllowed(d, pod(d, "approval-service"), prometheus, 9090)).isFalse();
        assertThat(allowed(d, monitor, pod(d, "flag-api"), 8081)).isTrue();
    }

    @Test
    void theFilesystemArchiveOpensNoArchiveEgress() {
        Rendered fs = Chart.render(Map.of("services.auditService.archive.enabled", true,
                "services.auditService.archive.filesystem.existingClaim", "ledger-archive",
                "networkPolicy.egress.archive.ports[0].port", 9000));
        assertThat(egressPorts(fs, "audit-service")).doesNotContain(9000);
        Rendered s3 = Chart.render(Map.of("services.auditService.archive.enabled", true,
                "services.auditService.archive.s3.bucket", "ledger-archive",
                "networkPolicy.egress.archive.ports[0].port", 9000));
        assertThat(egressAllowed(s3, pod(s3, "audit-service"), Pod.in("anywhere", Map.of()), 9000)).isTrue();
    }

    @Test
    void extraIngressLetsApplicationsReadFlags() {
        Rendered p = Chart.production();
        Pod sdk = new Pod("shop", Map.of("kubernetes.io/metadata.name", "shop", "flagledger.io/sdk", "true"), Map.of("app", "shop"));
        assertThat(ingressAllowed(p, sdk, pod(p, "flag-api"), 8081)).isTrue();
        assertThat(ingressAllowed(p, sdk, pod(p, "audit-service"), 8083)).isFalse();
    }

    @Test
    void disablingAServiceRemovesItFromTheOtherPolicies() {
        Rendered rendered = Chart.render(Map.of("services.flagApi.enabled", false));
        assertThat(allowedFlows(rendered)).containsExactly("approval-service -> audit-service");
        assertThat(rendered.yaml).doesNotContain("app.kubernetes.io/component: flag-api");
    }

    // --- evaluation -------------------------------------------------------------------------------------------

    static Set<String> allowedFlows(Rendered rendered) {
        Set<String> flows = new TreeSet<>();
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (Deployment d : rendered.ofType(Deployment.class)) {
            ports.put(d.getMetadata().getLabels().get(Rendered.COMPONENT),
                    d.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().get(0).getContainerPort());
        }
        for (String from : ports.keySet()) {
            for (String to : ports.keySet()) {
                if (!from.equals(to) && allowed(rendered, pod(rendered, from), pod(rendered, to), ports.get(to))) {
                    flows.add(from + " -> " + to);
                }
            }
        }
        return flows;
    }

    static Pod pod(Rendered rendered, String component) {
        return Pod.in(Chart.NAMESPACE, rendered.deployment(component).getSpec().getTemplate().getMetadata().getLabels());
    }

    static boolean allowed(Rendered rendered, Pod from, Pod to, int port) {
        return egressAllowed(rendered, from, to, port) && ingressAllowed(rendered, from, to, port);
    }

    static boolean ingressAllowed(Rendered rendered, Pod from, Pod to, int port) {
        List<NetworkPolicy> selecting = selecting(rendered, to, "Ingress");
        if (selecting.isEmpty()) {
            return true;
        }
        return selecting.stream().anyMatch(p -> p.getSpec().getIngress() != null && p.getSpec().getIngress().stream()
                .anyMatch(rule -> portMatches(rule.getPorts(), port) && peersMatch(rule.getFrom(), p, from)));
    }

    static boolean egressAllowed(Rendered rendered, Pod from, Pod to, int port) {
        List<NetworkPolicy> selecting = selecting(rendered, from, "Egress");
        if (selecting.isEmpty()) {
            return true;
        }
        return selecting.stream().anyMatch(p -> p.getSpec().getEgress() != null && p.getSpec().getEgress().stream()
                .anyMatch(rule -> portMatches(rule.getPorts(), port) && peersMatch(rule.getTo(), p, to)));
    }

    static List<Integer> egressPorts(Rendered rendered, String component) {
        List<Integer> ports = new ArrayList<>();
        selecting(rendered, pod(rendered, component), "Egress").forEach(p -> p.getSpec().getEgress()
                .forEach(rule -> rule.getPorts().forEach(port -> ports.add(port.getPort().getIntVal()))));
        return ports;
    }

    private static List<NetworkPolicy> selecting(Rendered rendered, Pod pod, String type) {
        return rendered.ofType(NetworkPolicy.class).stream()
                .filter(p -> p.getMetadata().getNamespace().equals(pod.namespace()))
                .filter(p -> p.getSpec().getPolicyTypes().contains(type))
                .filter(p -> matches(p.getSpec().getPodSelector(), pod.labels()))
                .toList();
    }

    private static boolean portMatches(List<NetworkPolicyPort> ports, int port) {
        if (ports == null || ports.isEmpty()) {
            return true;
        }
        return ports.stream().anyMatch(p -> {
            if (p.getPort() == null) {
                return true;
            }
            if (p.getPort().getIntVal() == null) {
                throw new AssertionError("named ports are not used by this chart: " + p.getPort().getStrVal());
            }
            int start = p.getPort().getIntVal();
            int end = p.getEndPort() == null ? start : p.getEndPort();
            return !"UDP".equals(p.getProtocol()) && port >= start && port <= end;
        });
    }

    private static boolean peersMatch(List<NetworkPolicyPeer> peers, NetworkPolicy policy, Pod pod) {
        if (peers == null || peers.isEmpty()) {
            return true; // no peers listed: any address
        }
        return peers.stream().anyMatch(peer -> {
            if (peer.getIpBlock() != null) {
                return false; // pods in these tests are addressed by labels, never by the documentation CIDRs
            }
            boolean namespaceOk = peer.getNamespaceSelector() == null
                    ? pod.namespace().equals(policy.getMetadata().getNamespace())
                    : matches(peer.getNamespaceSelector(), pod.namespaceLabels());
            boolean podOk = peer.getPodSelector() == null || matches(peer.getPodSelector(), pod.labels());
            return namespaceOk && podOk;
        });
    }

    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector.getMatchLabels() != null) {
            for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
                if (!e.getValue().equals(labels.get(e.getKey()))) {
                    return false;
                }
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
                String value = labels.get(r.getKey());
                boolean ok = switch (r.getOperator()) {
                    case "In" -> value != null && r.getValues().contains(value);
                    case "NotIn" -> value == null || !r.getValues().contains(value);
                    case "Exists" -> value != null;
                    case "DoesNotExist" -> value == null;
                    default -> throw new AssertionError(r.getOperator());
                };
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }
}
