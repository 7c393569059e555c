package io.flagledger.helm;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every pod the chart renders is hardened and bounded, with the default and the production values. */
class WorkloadHardeningTest {

    static Stream<Arguments> renders() {
        return Stream.of(
                Arguments.of(Named.of("default values", Chart.defaults())),
                Arguments.of(Named.of("production values (with the migration Jobs)",
                        Chart.withHooks(List.of(Chart.PRODUCTION_VALUES), Map.of()))));
    }

    @ParameterizedTest
    @MethodSource("renders")
    void everyServiceHasItsWorkloadObjects(Rendered rendered) {
        for (String key : Chart.SERVICE_KEYS) {
            String component = Chart.component(key);
            assertThat(rendered.ofComponent(component)).extracting(HasMetadata::getKind)
                    .as(component)
                    .contains("Deployment", "Service", "ServiceAccount", "PodDisruptionBudget", "NetworkPolicy");
        }
        assertThat(rendered.ofType(Deployment.class)).hasSize(4);
    }

    @ParameterizedTest
    @MethodSource("renders")
    void everyServiceContainerHasTheThreeHealthProbes(Rendered rendered) {
        for (Deployment deployment : rendered.ofType(Deployment.class)) {
            for (Container c : deployment.getSpec().getTemplate().getSpec().getContainers()) {
                String what = deployment.getMetadata().getName() + "/" + c.getName();
                assertProbe(what + " startup", c.getStartupProbe(), "/q/health/started");
                assertProbe(what + " liveness", c.getLivenessProbe(), "/q/health/live");
                assertProbe(what + " readiness", c.getReadinessProbe(), "/q/health/ready");
                assertThat(c.getPorts()).as(what).anyMatch(p -> "http".equals(p.getName()));
            }
        }
    }

    private static void assertProbe(String what, Probe probe, String path) {
        assertThat(probe).as(what).isNotNull();
        assertThat(probe.getHttpGet()).as(what).isNotNull();
        assertThat(probe.getHttpGet().getPath()).as(what).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getStrVal()).as(what).isEqualTo("http");
        assertThat(probe.getPeriodSeconds()).as(what).isPositive();
        assertThat(probe.getFailureThreshold()).as(what).isPositive();
    }

    @ParameterizedTest
    @MethodSource("renders")
    void everyContainerHasRequestsAndLimits(Rendered rendered) {
        rendered.podSpecs().forEach((name, spec) -> {
            for (Container c : allContainers(spec)) {
                assertThat(c.getResources()).as(name).isNotNull();
                assertThat(c.getResources().getRequests()).as(name + " requests").containsKeys("cpu", "memory");
                assertThat(c.getResources().getLimits()).as(name + " limits").containsKeys("cpu", "memory");
            }
        });
    }

    @ParameterizedTest
    @MethodSource("renders")
    void everyContainerRunsHardened(Rendered rendered) {
        assertThat(rendered.podSpecs()).isNotEmpty();
        rendered.podSpecs().forEach((name, spec) -> {
            PodSecurityContext pod = spec.getSecurityContext();
            assertThat(pod).as(name).isNotNull();
            assertThat(pod.getRunAsNonRoot()).as(name + " runAsNonRoot").isTrue();
            assertThat(pod.getSeccompProfile().getType()).as(name).isEqualTo("RuntimeDefault");
            assertThat(spec.getAutomountServiceAccountToken()).as(name + " token mount").isFalse();
            assertThat(spec.getHostNetwork()).as(name).isNotEqualTo(Boolean.TRUE);
            Volume tmp = spec.getVolumes().stream().filter(v -> "tmp".equals(v.getName())).findFirst().orElseThrow();
            assertThat(tmp.getEmptyDir()).as(name + " /tmp is an emptyDir").isNotNull();
            assertThat(tmp.getEmptyDir().getSizeLimit()).as(name + " /tmp is bounded").isNotNull();
            for (Container c : allContainers(spec)) {
                String what = name + "/" + c.getName();
                SecurityContext sc = c.getSecurityContext();
                assertThat(sc).as(what).isNotNull();
                assertThat(sc.getAllowPrivilegeEscalation()).as(what + " allowPrivilegeEscalation").isFalse();
                assertThat(sc.getReadOnlyRootFilesystem()).as(what + " readOnlyRootFilesystem").isTrue();
                assertThat(sc.getRunAsNonRoot()).as(what + " runAsNonRoot").isTrue();
                assertThat(sc.getPrivileged()).as(what).isNotEqualTo(Boolean.TRUE);
                assertThat(sc.getCapabilities().getDrop()).as(what + " drops").containsExactly("ALL");
                assertThat(sc.getCapabilities().getAdd()).as(what + " adds").isNullOrEmpty();
                assertThat(sc.getSeccompProfile().getType()).as(what).isEqualTo("RuntimeDefault");
                assertThat(c.getVolumeMounts()).as(what).extracting(VolumeMount::getMountPath).contains("/tmp");
            }
        });
    }

    @ParameterizedTest
    @MethodSource("renders")
    void serviceAccountsMountNoToken(Rendered rendered) {
        List<ServiceAccount> accounts = rendered.ofType(ServiceAccount.class);
        assertThat(accounts).hasSize(4);
        assertThat(accounts).allSatisfy(sa ->
                assertThat(sa.getAutomountServiceAccountToken()).as(sa.getMetadata().getName()).isFalse());
        for (Deployment d : rendered.ofType(Deployment.class)) {
            assertThat(accounts).extracting(sa -> sa.getMetadata().getName())
                    .contains(d.getSpec().getTemplate().getSpec().getServiceAccountName());
        }
    }

    @ParameterizedTest
    @MethodSource("renders")
    void podsSpreadAcrossZonesAndNodes(Rendered rendered) {
        for (Deployment d : rendered.ofType(Deployment.class)) {
            PodSpec spec = d.getSpec().getTemplate().getSpec();
            assertThat(spec.getTopologySpreadConstraints()).as(d.getMetadata().getName())
                    .extracting(t -> t.getTopologyKey())
                    .containsExactlyInAnyOrder("topology.kubernetes.io/zone", "kubernetes.io/hostname");
            assertThat(spec.getTopologySpreadConstraints()).allSatisfy(t -> assertThat(t.getLabelSelector().getMatchLabels())
                    .isEqualTo(d.getSpec().getSelector().getMatchLabels()));
            // Service links would inject FLAGLEDGER_*_PORT variables that collide with the config namespace.
            assertThat(spec.getEnableServiceLinks()).isFalse();
        }
    }

    @ParameterizedTest
    @MethodSource("renders")
    void everyFieldIsKnownToTheKubernetesModel(Rendered rendered) {
        // A misspelt field (e.g. "readinesProbe") parses into additionalProperties and Kubernetes would drop it.
        List<String> unknown = new ArrayList<>();
        for (HasMetadata object : rendered.objects) {
            if (!(object instanceof GenericKubernetesResource)) {
                collectUnknownFields(object, object.getKind() + "/" + object.getMetadata().getName(), unknown,
                        java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
            }
        }
        assertThat(unknown).isEmpty();
    }

    @Test
    void theUnknownFieldCheckCatchesATypo() {
        Rendered typo = Rendered.parse("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: p
                spec:
                  containers:
                    - name: c
                      image: i
                      readinesProbe: {}
                """);
        List<String> unknown = new ArrayList<>();
        collectUnknownFields(typo.objects.get(0), "Pod/p", unknown,
                java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
        assertThat(unknown).singleElement().asString().contains("readinesProbe");
    }

    private static void collectUnknownFields(Object node, String path, List<String> unknown, Set<Object> seen) {
        if (node == null || !seen.add(node)) {
            return;
        }
        if (node instanceof Collection<?> collection) {
            int i = 0;
            for (Object item : collection) {
                collectUnknownFields(item, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> collectUnknownFields(v, path + "." + k, unknown, seen));
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method method : node.getClass().getMethods()) {
            if (method.getParameterCount() != 0 || Modifier.isStatic(method.getModifiers())
                    || !method.getName().startsWith("get") || method.getDeclaringClass() == Object.class) {
                continue;
            }
            try {
                Object value = method.invoke(node);
                if (method.getName().equals("getAdditionalProperties")) {
                    if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        unknown.add(path + ": " + extra.keySet());
                    }
                } else {
                    collectUnknownFields(value, path + "." + method.getName().substring(3), unknown, seen);
                }
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static List<Container> allContainers(PodSpec spec) {
        List<Container> all = new ArrayList<>(spec.getContainers());
        if (spec.getInitContainers() != null) {
            all.addAll(spec.getInitContainers());
        }
        return all;
    }

    @Test
    void imagesFollowTheImageValues() {
        Rendered defaults = Chart.defaults();
        assertThat(defaults.container("approval-service").getImage()).isEqualTo("ghcr.io/flagledger/approval-service:0.1.0");
        assertThat(defaults.container("flag-api").getImagePullPolicy()).isEqualTo("IfNotPresent");
        Rendered production = Chart.production();
        assertThat(production.container("flag-api").getImage()).isEqualTo(
                "ghcr.io/flagledger/flag-api@sha256:4f5b1a3e2d9c8b7a6f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0f9e");
        assertThat(production.podSpecs().values()).allSatisfy(spec ->
                assertThat(spec.getImagePullSecrets()).extracting(r -> r.getName()).containsExactly("ghcr-pull"));
        Rendered mirrored = Chart.render(Map.of("global.imageRegistry", "mirror.internal:5000",
                "services.monitorService.image.tag", "0.1.1"));
        assertThat(mirrored.container("monitor-service").getImage())
                .isEqualTo("mirror.internal:5000/flagledger/monitor-service:0.1.1");
        assertThat(mirrored.container("audit-service").getImage())
                .isEqualTo("mirror.internal:5000/flagledger/audit-service:0.1.0");
    }

    @Test
    void migrationJobsRunBeforeInstallAndUpgrade() {
        Rendered rendered = Chart.withHooks(List.of(Chart.PRODUCTION_VALUES), Map.of());
        List<Job> jobs = rendered.ofType(Job.class);
        assertThat(jobs).extracting(j -> j.getMetadata().getName()).containsExactlyInAnyOrder(
                "flagledger-flag-api-migration", "flagledger-approval-service-migration",
                "flagledger-audit-service-migration", "flagledger-monitor-service-migration");
        for (Job job : jobs) {
            assertThat(job.getMetadata().getAnnotations())
                    .containsEntry(Chart.HOOK_ANNOTATION_PREFIX, "pre-install,pre-upgrade")
                    .containsEntry(Chart.HOOK_ANNOTATION_PREFIX + "-delete-policy", "before-hook-creation,hook-succeeded");
            Container migrate = job.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(Rendered.envOf(migrate)).containsKeys("FLAGLEDGER_DB_JDBC_URL", "FLAGLEDGER_DB_PASSWORD");
            assertThat(Rendered.envOf(migrate).get("QUARKUS_FLYWAY_MIGRATE_AT_START").getValue()).isEqualTo("true");
            assertThat(Rendered.envOf(migrate).get("QUARKUS_INIT_AND_EXIT").getValue()).isEqualTo("true");
            // At pre-install the chart's ServiceAccounts and ConfigMaps do not exist yet: the Job needs neither.
            assertThat(job.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("default");
            assertThat(job.getSpec().getTemplate().getSpec().getVolumes()).noneMatch(v -> v.getConfigMap() != null);
            assertThat(job.getSpec().getTemplate().getSpec().getRestartPolicy()).isEqualTo("Never");
        }
        // The Deployments leave migrations to the Jobs.
        for (String key : Chart.SERVICE_KEYS) {
            assertThat(rendered.envValue(Chart.component(key), "QUARKUS_FLYWAY_MIGRATE_AT_START")).isEqualTo("false");
        }
        // The hook NetworkPolicy lets migration pods reach only DNS and PostgreSQL, and is created before the Job.
        List<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy> migrationPolicies = rendered
                .ofType(io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class).stream()
                .filter(p -> p.getMetadata().getName().endsWith("-migration")).toList();
        assertThat(migrationPolicies).hasSize(4).allSatisfy(p -> {
            assertThat(p.getSpec().getIngress()).isEmpty();
            assertThat(p.getSpec().getEgress()).flatExtracting(r -> r.getPorts())
                    .extracting(port -> port.getPort().getIntVal()).containsOnly(53, 5432);
            assertThat(Integer.parseInt(p.getMetadata().getAnnotations().get(Chart.HOOK_ANNOTATION_PREFIX + "-weight")))
                    .isLessThan(0);
        });
    }

    @Test
    void migrateAtStartIsTheDefaultAndRendersNoJob() {
        Rendered rendered = Chart.withHooks(List.of(), Map.of());
        assertThat(rendered.ofType(Job.class)).isEmpty();
        for (String key : Chart.SERVICE_KEYS) {
            assertThat(rendered.envValue(Chart.component(key), "QUARKUS_FLYWAY_MIGRATE_AT_START")).isEqualTo("true");
        }
    }
}
