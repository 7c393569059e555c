package io.flagledger.helm;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rendered objects applied to the fabric8 Kubernetes mock server in CRUD mode (an API server that stores what it
 * is given) and read back: what an install and an upgrade would send to a cluster.
 */
@EnableKubernetesMockClient(crud = true)
class MockClusterTest {

    static KubernetesMockServer server;
    static KubernetesClient client;

    static final String SELECTOR = "app.kubernetes.io/instance";

    @BeforeEach
    void clusterWithTheOperatorsCrds() {
        for (String ns : List.of(Chart.NAMESPACE, "kafka")) {
            if (client.namespaces().withName(ns).get() == null) {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
            }
        }
        crd("monitoring.coreos.com", "v1", "ServiceMonitor", "servicemonitors");
        crd("monitoring.coreos.com", "v1", "PrometheusRule", "prometheusrules");
        crd("kafka.strimzi.io", "v1beta2", "KafkaTopic", "kafkatopics");
        // Start each test from an empty release.
        for (HasMetadata o : new ArrayList<>(installed())) {
            client.resource(o).delete();
        }
    }

    @Test
    void installAppliesEveryObjectAndReadsItBackUnchanged() {
        Rendered rendered = Chart.production();
        for (HasMetadata object : rendered.objects) {
            client.resource(object).create();
        }
        for (HasMetadata object : rendered.objects) {
            HasMetadata stored = client.resource(object).get();
            assertThat(stored).as(describe(object)).isNotNull();
            assertThat(stored.getMetadata().getUid()).isNotBlank();
            assertThat(stored.getMetadata().getLabels()).isEqualTo(object.getMetadata().getLabels());
            assertThat(content(stored)).as(describe(object)).isEqualTo(content(object));
        }
        assertThat(names(installed())).isEqualTo(names(rendered.objects));

        // Typed reads of what a platform engineer would look at first.
        Deployment auditService = client.apps().deployments().inNamespace(Chart.NAMESPACE).withName("flagledger-audit-service").get();
        assertThat(auditService.getSpec().getTemplate().getSpec().getContainers().get(0).getSecurityContext()
                .getReadOnlyRootFilesystem()).isTrue();
        assertThat(client.network().v1().networkPolicies().inNamespace(Chart.NAMESPACE).withLabel(SELECTOR, Chart.RELEASE).list()
                .getItems()).extracting(NetworkPolicy::getMetadata).hasSize(4);
        GenericKubernetesResource topic = client.genericKubernetesResources("kafka.strimzi.io/v1beta2", "KafkaTopic")
                .inNamespace("kafka").withName("flagledger-flag-changes").get();
        assertThat(topic.<String>get("spec", "topicName")).isEqualTo("flag.changes");
        assertThat(client.genericKubernetesResources("monitoring.coreos.com/v1", "ServiceMonitor").inNamespace(Chart.NAMESPACE)
                .list().getItems()).hasSize(4);
    }

    @Test
    void anUpgradeThatDisablesAServicePrunesExactlyItsObjects() {
        Rendered before = Chart.production();
        before.objects.forEach(o -> client.resource(o).create());

        Rendered after = Chart.renderProduction(Map.of("services.monitorService.enabled", false,
                "services.flagApi.replicas", 4, "services.flagApi.autoscaling.enabled", false));
        // What `helm upgrade` does: apply what is rendered, delete what is no longer rendered.
        Set<String> kept = names(after.objects);
        for (HasMetadata old : before.objects) {
            if (!kept.contains(describe(old))) {
                client.resource(old).delete();
            }
        }
        for (HasMetadata object : after.objects) {
            client.resource(object).createOr(existing -> existing.update());
        }

        assertThat(names(installed())).isEqualTo(kept);
        assertThat(installed()).noneMatch(o -> "monitor-service".equals(o.getMetadata().getLabels().get(Rendered.COMPONENT)));
        assertThat(client.apps().deployments().inNamespace(Chart.NAMESPACE).withName("flagledger-flag-api").get()
                .getSpec().getReplicas()).isEqualTo(4);
        assertThat(client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(Chart.NAMESPACE).list().getItems()).isEmpty();
        // flag-api no longer admits monitor-service.
        NetworkPolicy flagApi = client.network().v1().networkPolicies().inNamespace(Chart.NAMESPACE)
                .withName("flagledger-flag-api").get();
        assertThat(Rendered.SERIALIZATION.asYaml(flagApi.getSpec())).doesNotContain("monitor-service").contains("approval-service");
    }

    private List<HasMetadata> installed() {
        List<HasMetadata> all = new ArrayList<>();
        all.addAll(client.apps().deployments().inAnyNamespace().withLabel(SELECTOR, Chart.RELEASE).list().getItems());
        all.addAll(client.services().inAnyNamespace().withLabel(SELECTOR, Chart.RELEASE).list().getItems());
        all.addAll(client.serviceAccounts().inAnyNamespace().withLabel(SELECTOR, Chart.RELEASE).list().getItems());
        all.addAll(client.configMaps().inAnyNamespace().withLabel(SELECTOR, Chart.RELEASE).list().getItems());
        all.addAll(client.secrets().inAnyNamespace().withLabel(SELECTOR, Chart.RELEASE).list().getItems());
        all.addAll(client.policy().v1().podDisruptionBudget().inAnyNamespace().withLabel(SELECTOR, Chart.RELEASE).list().getItems());
        all.addAll(client.autoscaling().v2().horizontalPodAutoscalers().inAnyNamespace().withLabel(SELECTOR, Chart.RELEASE).list().getItems());
        all.addAll(client.network().v1().networkPolicies().inAnyNamespace().withLabel(SELECTOR, Chart.RELEASE).list().getItems());
        all.addAll(client.batch().v1().jobs().inAnyNamespace().withLabel(SELECTOR, Chart.RELEASE).list().getItems());
        for (String[] crd : List.of(new String[]{"monitoring.coreos.com/v1", "ServiceMonitor"},
                new String[]{"monitoring.coreos.com/v1", "PrometheusRule"}, new String[]{"kafka.strimzi.io/v1beta2", "KafkaTopic"})) {
            all.addAll(client.genericKubernetesResources(crd[0], crd[1]).inAnyNamespace().withLabel(SELECTOR, Chart.RELEASE)
                    .list().getItems());
        }
        return all;
    }

    private void crd(String group, String version, String kind, String plural) {
        String name = plural + "." + group;
        if (client.apiextensions().v1().customResourceDefinitions().withName(name).get() != null) {
            return;
        }
        CustomResourceDefinition crd = new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withGroup(group).withScope("Namespaced")
                .withNewNames().withKind(kind).withPlural(plural).withSingular(kind.toLowerCase()).endNames()
                .addNewVersion().withName(version).withServed(true).withStorage(true)
                .withNewSchema().withNewOpenAPIV3Schema().withType("object").withXKubernetesPreserveUnknownFields(true)
                .endOpenAPIV3Schema().endSchema().endVersion()
                .endSpec().build();
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    }

    /** Everything but metadata and status: what the chart asked for. */
    private static Map<String, Object> content(HasMetadata object) {
        @SuppressWarnings("unchecked")
        Map<String, Object> map = Rendered.SERIALIZATION.convertValue(object, Map.class);
        map.remove("metadata");
        map.remove("status");
        return map;
    }

    private static String describe(HasMetadata o) {
        return o.getKind() + "/" + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    }

    private static Set<String> names(List<HasMetadata> objects) {
        Set<String> names = new TreeSet<>();
        objects.forEach(o -> names.add(describe(o)));
        return names;
    }
}
