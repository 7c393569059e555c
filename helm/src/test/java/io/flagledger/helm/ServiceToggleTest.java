package io.flagledger.helm;

import io.fabric8.kubernetes.api.model.HasMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** services.<name>.enabled=false makes every object of that service disappear, and nothing else. */
class ServiceToggleTest {

    @ParameterizedTest
    @ValueSource(strings = {"flagApi", "approvalService", "auditService", "monitorService"})
    void disablingAServiceRemovesAllOfItsObjects(String key) {
        String component = Chart.component(key);
        Rendered full = Chart.withHooks(List.of(Chart.PRODUCTION_VALUES), Map.of());
        Rendered without = Chart.withHooks(List.of(Chart.PRODUCTION_VALUES), Map.of("services." + key + ".enabled", false));

        // Every kind of object the service had in the production render...
        assertThat(full.ofComponent(component)).extracting(HasMetadata::getKind).contains("Deployment", "Service",
                "ServiceAccount", "PodDisruptionBudget", "NetworkPolicy", "ServiceMonitor", "PrometheusRule", "Job");
        // ...is gone, and nothing names or selects it any more.
        assertThat(without.ofComponent(component)).isEmpty();
        assertThat(without.objects).noneMatch(o -> o.getMetadata().getName().contains(component));
        assertThat(without.yaml).doesNotContain("component: " + component + "\n")
                .doesNotContain("http://flagledger-" + component + ".");

        // The other services' objects are exactly the same as before.
        Set<String> othersBefore = names(full.objects.stream()
                .filter(o -> !full.ofComponent(component).contains(o)).collect(Collectors.toList()));
        assertThat(names(without.objects)).isEqualTo(othersBefore);
    }

    @Test
    void withEveryServiceDisabledOnlyTheSharedTopicsRemain() {
        Rendered none = Chart.renderProduction(Map.of("services.flagApi.enabled", false,
                "services.approvalService.enabled", false, "services.auditService.enabled", false,
                "services.monitorService.enabled", false));
        assertThat(none.kinds()).containsOnly("KafkaTopic");
        assertThat(Chart.render(Map.of("services.flagApi.enabled", false,
                "services.approvalService.enabled", false, "services.auditService.enabled", false,
                "services.monitorService.enabled", false)).objects).isEmpty();
    }

    @Test
    void aDisabledServiceNeedsNoneOfItsRequiredSettings() {
        // flag-api's signing key is required only while flag-api is deployed.
        Rendered rendered = Chart.render(Map.of("services.flagApi.enabled", false,
                "services.flagApi.signing.keyId", "", "services.flagApi.signing.privateKeySecret.name", ""));
        assertThat(rendered.ofComponent("flag-api")).isEmpty();
        assertThat(rendered.ofComponent("audit-service")).isNotEmpty();
    }

    private static Set<String> names(List<HasMetadata> objects) {
        return objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).collect(Collectors.toSet());
    }
}
