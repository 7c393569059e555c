package io.flagledger.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Grafana dashboard ConfigMap: the sidecar convention, valid JSON, annotations over the panels it promises. */
class GrafanaDashboardTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Metrics the services export (Micrometer names as Prometheus shows them). */
    private static final Set<String> EXPORTED = Set.of("flagledger_flag_changes_total", "flagledger_monitor_detections_total",
            "flagledger_monitor_reverts_total", "flagledger_monitor_alerts_total", "flagledger_monitor_alerts_dead_total",
            "flagledger_monitor_alerts_pending", "flagledger_monitor_threshold_to_revert_seconds_bucket");

    @Test
    void offByDefault() {
        assertThat(dashboards(Chart.defaults())).isEmpty();
    }

    @Test
    void aConfigMapTheGrafanaSidecarPicksUp() throws Exception {
        ConfigMap map = single(Chart.render(Map.of("metrics.grafanaDashboard.enabled", true)));
        assertThat(map.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1")
                .containsEntry("app.kubernetes.io/instance", Chart.RELEASE);
        assertThat(map.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
        assertThat(map.getMetadata().getAnnotations()).containsEntry("grafana_folder", "Flagledger");
        assertThat(map.getData()).containsOnlyKeys("flagledger.json");
        JsonNode dashboard = JSON.readTree(map.getData().get("flagledger.json"));
        assertThat(dashboard.path("uid").asText()).isEqualTo("flagledger-overview");

        // flag changes, detections and reverts are annotations over the error-rate panel
        List<String> annotations = new ArrayList<>();
        dashboard.path("annotations").path("list").forEach(a -> annotations.add(a.path("name").asText() + ": " + a.path("expr").asText()));
        assertThat(annotations).anySatisfy(a -> assertThat(a).startsWith("Flag changes: ").contains("flagledger_flag_changes_total", "actor_type"))
                .anySatisfy(a -> assertThat(a).startsWith("Detections: ").contains("flagledger_monitor_detections_total"))
                .anySatisfy(a -> assertThat(a).startsWith("Reverts: ").contains("flagledger_monitor_reverts_total"));
        List<String> titles = new ArrayList<>();
        dashboard.path("panels").forEach(p -> titles.add(p.path("title").asText()));
        assertThat(titles).contains("Application error ratio", "Flag changes by project, environment and actor type",
                "Detections by rule", "Automatic reverts by outcome", "Alert delivery");

        // every flagledger metric it reads is one a service exports
        Set<String> read = new TreeSet<>();
        Matcher metric = Pattern.compile("\\b(flagledger_[a-z_]+)\\{").matcher(map.getData().get("flagledger.json"));
        while (metric.find()) {
            read.add(metric.group(1));
        }
        assertThat(read).isNotEmpty().isSubsetOf(EXPORTED);
    }

    @Test
    void labelsNamespaceAndFolderFollowTheValues() {
        ConfigMap map = single(Chart.render(Map.of("metrics.grafanaDashboard.enabled", true,
                "metrics.grafanaDashboard.labels.grafana_dashboard", "flagledger", "metrics.grafanaDashboard.namespace", "monitoring",
                "metrics.grafanaDashboard.folder", "")));
        assertThat(map.getMetadata().getLabels()).containsEntry("grafana_dashboard", "flagledger");
        assertThat(map.getMetadata().getNamespace()).isEqualTo("monitoring");
        assertThat(map.getMetadata().getAnnotations()).isNullOrEmpty();
    }

    private static List<ConfigMap> dashboards(Rendered rendered) {
        return rendered.ofType(ConfigMap.class).stream().filter(c -> c.getMetadata().getName().endsWith("-grafana-dashboard")).toList();
    }

    private static ConfigMap single(Rendered rendered) {
        List<ConfigMap> maps = dashboards(rendered);
        assertThat(maps).hasSize(1);
        return maps.get(0);
    }
}
