package io.flagledger.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Strimzi KafkaUsers: each service may use exactly its topics and group, and each application pushing error rates may
 * write only its own service.health.<application>, so none can fake another's error spike; monitor-service then reads
 * those topics and refuses the shared one.
 */
class KafkaUsersTest {

    private static final Map<String, Object> ENABLED = Map.of("kafkaUsers.enabled", true,
            "kafkaUsers.healthReporters[0]", "checkout", "kafkaUsers.healthReporters[1]", "payments");

    @Test
    void offByDefault() {
        assertThat(Chart.defaults().kinds()).doesNotContain("KafkaUser");
        assertThat(monitorProperties(Chart.defaults())).doesNotContain("own-topic-required");
    }

    @Test
    void everyPrincipalMayUseOnlyItsOwnTopics() {
        Rendered r = Chart.render(ENABLED);
        Map<String, GenericKubernetesResource> users = r.ofKind("KafkaUser").stream()
                .collect(Collectors.toMap(u -> u.getMetadata().getName(), u -> u));
        assertThat(users).containsOnlyKeys("flagledger-flag-api", "flagledger-approval-service", "flagledger-audit-service",
                "flagledger-monitor-service", "flagledger-health-checkout", "flagledger-health-payments");
        for (GenericKubernetesResource user : users.values()) {
            assertThat(user.getMetadata().getLabels()).containsEntry("strimzi.io/cluster", "flagledger");
            assertThat(user.<String>get("spec", "authentication", "type")).isEqualTo("tls");
            assertThat(user.<String>get("spec", "authorization", "type")).isEqualTo("simple");
        }
        // an application writes its own samples, nothing else: not the shared topic, not another application's
        assertThat(acls(users.get("flagledger-health-checkout"))).containsExactlyInAnyOrder(
                "topic:service.health.checkout:literal:Write,Describe", "cluster:-:-:IdempotentWrite");
        assertThat(acls(users.get("flagledger-health-payments"))).contains("topic:service.health.payments:literal:Write,Describe")
                .noneMatch(acl -> acl.contains("checkout"));
        // only flag-api writes flag.changes; the monitor reads every application's samples and writes only its actions
        assertThat(acls(users.get("flagledger-flag-api"))).containsExactlyInAnyOrder(
                "topic:flag.changes:literal:Write,Describe", "topic:security.events:literal:Write,Describe",
                "cluster:-:-:IdempotentWrite");
        assertThat(acls(users.get("flagledger-monitor-service"))).containsExactlyInAnyOrder(
                "topic:monitor.actions:literal:Write,Describe", "topic:security.events:literal:Write,Describe",
                "topic:flag.changes:literal:Read,Describe", "topic:approval.events:literal:Read,Describe",
                "topic:service.health.:prefix:Read,Describe", "group:monitor-service:literal:Read", "cluster:-:-:IdempotentWrite");
        for (String service : List.of("flagledger-approval-service", "flagledger-audit-service", "flagledger-monitor-service")) {
            assertThat(acls(users.get(service))).noneMatch(acl -> acl.startsWith("topic:flag.changes") && acl.contains("Write"));
            assertThat(acls(users.get(service))).noneMatch(acl -> acl.startsWith("topic:service.health") && acl.contains("Write"));
        }
        // and the monitor believes samples only on those per-application topics
        assertThat(monitorProperties(r)).contains("mp.messaging.incoming.service-health.pattern=true",
                "mp.messaging.incoming.service-health.topic=service[.]health[.].+",
                "flagledger.monitor.signals.own-topic-required=true");
    }

    @Test
    void aDisabledServiceGetsNoUser() {
        Map<String, Object> sets = new java.util.HashMap<>(ENABLED);
        sets.put("services.approvalService.enabled", false);
        assertThat(Chart.render(sets).ofKind("KafkaUser")).extracting(u -> u.getMetadata().getName())
                .doesNotContain("flagledger-approval-service").contains("flagledger-flag-api");
    }

    /** {@code type:name:patternType:operations} per ACL. */
    @SuppressWarnings("unchecked")
    private static List<String> acls(GenericKubernetesResource user) {
        List<Map<String, Object>> acls = user.get("spec", "authorization", "acls");
        return acls.stream().map(acl -> {
            Map<String, Object> resource = (Map<String, Object>) acl.get("resource");
            return resource.get("type") + ":" + resource.getOrDefault("name", "-") + ":" + resource.getOrDefault("patternType", "-")
                    + ":" + String.join(",", (List<String>) acl.get("operations"));
        }).toList();
    }

    private static String monitorProperties(Rendered r) {
        return r.ofType(ConfigMap.class).stream().filter(c -> c.getMetadata().getName().equals("flagledger-monitor-service"))
                .findFirst().orElseThrow().getData().get("application.properties");
    }
}
