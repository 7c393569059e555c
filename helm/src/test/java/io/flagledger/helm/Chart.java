package io.flagledger.helm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs the real Helm library (helm-java) on the chart in helm/flagledger. No helm binary and no cluster are involved.
 */
final class Chart {

    static final Path DIR = Paths.get(System.getProperty("flagledger.chart.dir", "flagledger")).toAbsolutePath().normalize();
    static final Path PRODUCTION_VALUES = DIR.resolve("ci/production-values.yaml");
    static final String RELEASE = "flagledger";
    static final String NAMESPACE = "flagledger";
    /**
     * helm-java's Helm library is built without the Kubernetes version Helm's own release binaries carry, so it would
     * check Chart.yaml's kubeVersion against v1.20; render for a current cluster instead.
     */
    static final String KUBE_VERSION = "v1.31.0";
    static final List<String> SERVICE_KEYS = List.of("flagApi", "approvalService", "auditService", "monitorService");

    private static Rendered defaults;
    private static Rendered production;
    private static Path chartWithHooks;

    private Chart() {
    }

    static String component(String serviceKey) {
        return serviceKey.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase();
    }

    /** The default values, rendered once per test run. */
    static synchronized Rendered defaults() {
        if (defaults == null) {
            defaults = render(Map.of());
        }
        return defaults;
    }

    /** ci/production-values.yaml, rendered once per test run. */
    static synchronized Rendered production() {
        if (production == null) {
            production = renderProduction(Map.of());
        }
        return production;
    }

    /** A render that includes the hook objects (migration Jobs and their NetworkPolicies), see copyWithHooksVisible. */
    static synchronized Rendered withHooks(List<Path> valuesFiles, Map<String, ?> sets) {
        if (chartWithHooks == null) {
            try {
                Path dir = Paths.get(System.getProperty("flagledger.build.dir", "target")).resolve("chart-with-hooks");
                if (Files.exists(dir)) {
                    try (Stream<Path> old = Files.walk(dir)) {
                        for (Path p : (Iterable<Path>) old.sorted(java.util.Comparator.reverseOrder())::iterator) {
                            Files.delete(p);
                        }
                    }
                }
                chartWithHooks = copyWithHooksVisible(dir.resolve("flagledger"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Rendered.parse(template(chartWithHooks, valuesFiles, sets));
    }

    static Rendered render(Map<String, ?> sets) {
        return Rendered.parse(template(DIR, List.of(), sets));
    }

    static Rendered renderProduction(Map<String, ?> sets) {
        return Rendered.parse(template(DIR, List.of(PRODUCTION_VALUES), sets));
    }

    static String template(Path chart, List<Path> valuesFiles, Map<String, ?> sets) {
        TemplateCommand command = new Helm(chart).template()
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .withKubeVersion(KUBE_VERSION);
        for (Path values : valuesFiles) {
            command = command.withValuesFile(values);
        }
        for (Map.Entry<String, ?> set : sets.entrySet()) {
            command = command.set(set.getKey(), set.getValue());
        }
        return command.call();
    }

    /** Renders and expects Helm to refuse; returns Helm's message. */
    static String renderError(List<Path> valuesFiles, Map<String, ?> sets) {
        try {
            String out = template(DIR, valuesFiles, sets);
            throw new AssertionError("Helm rendered the chart although it should have refused:\n" + out);
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }

    /** A copy of the chart in target, for tests that must change it (merged values, hooks made visible). */
    static Path copy(Path target) {
        try (Stream<Path> files = Files.walk(DIR)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path dest = target.resolve(DIR.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(source, dest);
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * helm-java's template, like `helm template --no-hooks`, leaves hook objects out. To check the migration Jobs
     * (pre-install/pre-upgrade hooks), render a copy of the chart whose hook annotations are renamed: the objects then
     * render like any other, and their renamed annotations still show what Helm would have done.
     */
    static Path copyWithHooksVisible(Path target) {
        Path copy = copy(target);
        try (Stream<Path> templates = Files.list(copy.resolve("templates"))) {
            for (Path template : (Iterable<Path>) templates::iterator) {
                String text = Files.readString(template);
                Files.writeString(template, text.replace("helm.sh/hook", HOOK_ANNOTATION_PREFIX));
            }
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static final String HOOK_ANNOTATION_PREFIX = "test.flagledger.io/helm-hook";

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @SuppressWarnings("unchecked")
    static Map<String, Object> readYaml(Path file) {
        try {
            return YAML.readValue(file.toFile(), LinkedHashMap.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Helm's merge of values files: maps merge key by key, anything else is replaced. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> override) {
        Map<String, Object> merged = new LinkedHashMap<>(base);
        override.forEach((key, value) -> {
            Object current = merged.get(key);
            if (current instanceof Map && value instanceof Map) {
                merged.put(key, merge((Map<String, Object>) current, (Map<String, Object>) value));
            } else {
                merged.put(key, value);
            }
        });
        return merged;
    }

    static List<String> lines(Path file) {
        try {
            return new ArrayList<>(Files.readAllLines(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
