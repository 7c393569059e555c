package io.flagledger.helm;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/** The objects `helm template` rendered, parsed into the fabric8 Kubernetes model. */
final class Rendered {

    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    static final String COMPONENT = "app.kubernetes.io/component";

    final String yaml;
    final List<HasMetadata> objects;

    private Rendered(String yaml, List<HasMetadata> objects) {
        this.yaml = yaml;
        this.objects = objects;
    }

    static Rendered parse(String yaml) {
        List<HasMetadata> objects = new ArrayList<>();
        yaml = yaml == null ? "" : yaml;
        for (String document : yaml.split("(?m)^---\\s*$")) {
            if (document.lines().map(String::strip).noneMatch(line -> line.startsWith("kind:"))) {
                continue;
            }
            Object parsed = SERIALIZATION.unmarshal(document);
            if (!(parsed instanceof HasMetadata object)) {
                throw new AssertionError("Not a Kubernetes object:\n" + document);
            }
            objects.add(object);
        }
        return new Rendered(yaml, List.copyOf(objects));
    }

    <T extends HasMetadata> List<T> ofType(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
    }

    List<GenericKubernetesResource> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.getKind()))
                .map(o -> o instanceof GenericKubernetesResource g ? g
                        : SERIALIZATION.convertValue(o, GenericKubernetesResource.class))
                .collect(Collectors.toList());
    }

    List<String> kinds() {
        return objects.stream().map(HasMetadata::getKind).collect(Collectors.toList());
    }

    /** Objects labelled as belonging to one service (its component or its migration component). */
    List<HasMetadata> ofComponent(String component) {
        return objects.stream().filter(o -> {
            Map<String, String> labels = o.getMetadata().getLabels();
            String value = labels == null ? null : labels.get(COMPONENT);
            return component.equals(value) || (component + "-migration").equals(value);
        }).collect(Collectors.toList());
    }

    Deployment deployment(String component) {
        return ofType(Deployment.class).stream()
                .filter(d -> Objects.equals(component, d.getMetadata().getLabels().get(COMPONENT)))
                .findFirst().orElseThrow(() -> new AssertionError("No Deployment for " + component));
    }

    Container container(String component) {
        List<Container> containers = deployment(component).getSpec().getTemplate().getSpec().getContainers();
        if (containers.size() != 1) {
            throw new AssertionError(component + " should run exactly one container, has " + containers.size());
        }
        return containers.get(0);
    }

    /** The container's environment by name (the last entry wins, as in Kubernetes). */
    Map<String, EnvVar> env(String component) {
        return envOf(container(component));
    }

    static Map<String, EnvVar> envOf(Container container) {
        Map<String, EnvVar> env = new LinkedHashMap<>();
        for (EnvVar var : container.getEnv()) {
            env.put(var.getName(), var);
        }
        return env;
    }

    String envValue(String component, String name) {
        EnvVar var = env(component).get(name);
        if (var == null) {
            throw new AssertionError(component + " has no env var " + name);
        }
        return var.getValue();
    }

    /** Every pod spec: Deployments and Jobs. */
    Map<String, PodSpec> podSpecs() {
        Map<String, PodSpec> specs = new LinkedHashMap<>();
        ofType(Deployment.class).forEach(d -> specs.put("Deployment/" + d.getMetadata().getName(),
                d.getSpec().getTemplate().getSpec()));
        ofType(Job.class).forEach(j -> specs.put("Job/" + j.getMetadata().getName(),
                j.getSpec().getTemplate().getSpec()));
        return specs;
    }
}
