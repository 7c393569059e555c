package io.flagledger.helm;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The section "Deploying on Kubernetes with Helm" of docs/operations.md is the contract the service owners follow: every
 * environment variable and every metric the chart uses must be listed there, so the chart and its documentation
 * cannot drift.
 */
class OperationsDocContractTest {

    static String section;

    @BeforeAll
    static void readSection() throws IOException {
        String doc = Files.readString(Paths.get(System.getProperty("flagledger.repo.dir", ".."), "docs", "operations.md"));
        int start = doc.indexOf("\n## Deploying on Kubernetes with Helm\n");
        assertThat(start).as("docs/operations.md section").isNotNegative();
        int end = doc.indexOf("\n## ", start + 5);
        section = end < 0 ? doc.substring(start) : doc.substring(start, end);
    }

    @Test
    void everyEnvironmentVariableTheChartSetsIsInTheTable() {
        Set<String> names = new TreeSet<>();
        List<Rendered> renders = List.of(Chart.defaults(),
                Chart.withHooks(List.of(Chart.PRODUCTION_VALUES), Map.of()),
                Chart.render(Map.of("kafka.securityProtocol", "SSL", "kafka.keystore.secret.name", "user",
                        "kafka.keystore.passwordSecret.name", "user")));
        for (Rendered rendered : renders) {
            for (PodSpec spec : rendered.podSpecs().values()) {
                for (Container c : spec.getContainers()) {
                    c.getEnv().stream().map(EnvVar::getName).forEach(names::add);
                }
            }
        }
        assertThat(names).hasSizeGreaterThan(50);
        assertThat(names).allSatisfy(name -> assertThat(section).as(name).contains("`" + name + "`"));
    }

    @Test
    void everyMetricAndAlertOfThePrometheusRulesIsDocumented() {
        String yaml = Chart.production().yaml;
        Set<String> found = new TreeSet<>();
        Matcher metric = Pattern.compile("\\b(flagledger_[a-z_]+|kafka_consumer_[a-z_]+)\\{").matcher(yaml);
        while (metric.find()) {
            found.add(metric.group(1));
        }
        Matcher alert = Pattern.compile("alert: (\\w+)").matcher(yaml);
        while (alert.find()) {
            found.add(alert.group(1));
        }
        assertThat(found).hasSizeGreaterThanOrEqualTo(13);
        assertThat(found).allSatisfy(name -> assertThat(section).as(name).contains("`" + name + "`"));
    }

    @Test
    void theSectionCoversTheLifecycleAndTheScriptedClusterPath() {
        assertThat(section).contains("helm install ", "helm upgrade ", "helm uninstall ", "Production checklist",
                "helm/try-on-kind.sh", "not run by this project's build or CI", "advisory lock");
        assertThat(Path.of(Chart.DIR.getParent().toString(), "try-on-kind.sh")).isExecutable();
    }
}
