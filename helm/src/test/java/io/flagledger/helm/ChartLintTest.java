package io.flagledger.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** helm lint --strict, the chart's metadata, the documentation of values.yaml, and packaging. */
class ChartLintTest {

    @Test
    void lintStrictIsCleanWithDefaultValues() {
        LintResult result = new Helm(Chart.DIR).lint().strict().call();
        assertLintClean(result);
    }

    @Test
    void lintStrictIsCleanWithProductionValues(@TempDir Path tmp) throws IOException {
        // helm-java's lint takes no values file: lint a copy whose values.yaml is the defaults merged with
        // ci/production-values.yaml, exactly as Helm would merge them.
        Path copy = Chart.copy(tmp.resolve("flagledger"));
        Map<String, Object> merged = Chart.merge(Chart.readYaml(Chart.DIR.resolve("values.yaml")),
                Chart.readYaml(Chart.PRODUCTION_VALUES));
        Files.writeString(copy.resolve("values.yaml"), Chart.YAML.writeValueAsString(merged));
        assertLintClean(new Helm(copy).lint().strict().call());
    }

    @Test
    void lintFailsOnABrokenTemplate(@TempDir Path tmp) throws IOException {
        // The lint check must be able to fail: break one template and expect an error.
        Path copy = Chart.copy(tmp.resolve("flagledger"));
        Path service = copy.resolve("templates/service.yaml");
        Files.writeString(service, Files.readString(service).replace("{{- end }}\n{{- end }}", "{{- end }}"));
        LintResult result = new Helm(copy).lint().strict().call();
        assertThat(result.isFailed()).isTrue();
        assertThat(String.join("\n", result.getMessages())).contains("templates/service.yaml");
    }

    private static void assertLintClean(LintResult result) {
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
        // Strict lint fails on warnings; only the informational "icon is recommended" may remain.
        assertThat(result.getMessages()).allMatch(m -> m.startsWith("[INFO]"), "only [INFO] messages");
    }

    @Test
    void chartMetadataMatchesTheProject() {
        Map<String, Object> chart = Chart.readYaml(Chart.DIR.resolve("Chart.yaml"));
        assertThat(chart).containsEntry("apiVersion", "v2").containsEntry("name", "flagledger")
                .containsEntry("type", "application");
        String projectVersion = System.getProperty("flagledger.project.version", "0.1.0-SNAPSHOT");
        // The images the chart deploys by default are the release this build produces.
        assertThat(chart.get("appVersion")).isEqualTo(projectVersion.replace("-SNAPSHOT", ""));
        assertThat(Chart.defaults().container("flag-api").getImage())
                .isEqualTo("ghcr.io/flagledger/flag-api:" + chart.get("appVersion"));
    }

    @Test
    void kubeVersionConstraintRefusesOldClusters() {
        IllegalStateException error = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> new Helm(Chart.DIR).template().withName(Chart.RELEASE).withKubeVersion("v1.26.0").call());
        assertThat(error.getMessage()).contains("kubeVersion", ">=1.27.0-0");
    }

    /**
     * values.yaml is documented line by line: every key outside list items has a comment line directly above it.
     */
    @Test
    void everyValueIsDocumented() {
        List<String> lines = Chart.lines(Chart.DIR.resolve("values.yaml"));
        Pattern key = Pattern.compile("^(\\s*)([A-Za-z0-9_.\"-]+):(\\s.*)?$");
        List<String> undocumented = new ArrayList<>();
        int listIndent = Integer.MAX_VALUE;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String stripped = line.strip();
            if (stripped.isEmpty() || stripped.startsWith("#")) {
                continue;
            }
            int indent = line.length() - line.stripLeading().length();
            if (stripped.startsWith("- ")) {
                listIndent = Math.min(listIndent, indent);
                continue;
            }
            if (indent > listIndent) {
                continue; // a field of a list item: data, documented by the list's comment
            }
            listIndent = Integer.MAX_VALUE;
            Matcher m = key.matcher(line);
            if (m.matches() && (i == 0 || !lines.get(i - 1).strip().startsWith("#"))) {
                undocumented.add((i + 1) + ": " + line);
            }
        }
        assertThat(undocumented).as("keys without a comment line above them").isEmpty();
    }

    @Test
    void packagesIntoAnArchiveWithoutTheCiValues() throws IOException {
        Path target = Paths.get(System.getProperty("flagledger.build.dir", "target")).resolve("helm");
        Files.createDirectories(target);
        Path archive = target.resolve("flagledger-0.1.0.tgz");
        Files.deleteIfExists(archive);
        new Helm(Chart.DIR).packageIt().withDestination(target).call();
        assertThat(archive).isRegularFile();
        List<String> entries = tarEntries(archive);
        assertThat(entries).contains("flagledger/Chart.yaml", "flagledger/values.yaml",
                "flagledger/values.schema.json", "flagledger/templates/_helpers.tpl");
        assertThat(entries).noneMatch(e -> e.contains("/ci/"));
    }

    /** Entry names of a .tgz (ustar headers), without a tar library. */
    private static List<String> tarEntries(Path archive) throws IOException {
        List<String> names = new ArrayList<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(archive))) {
            byte[] header = new byte[512];
            while (in.readNBytes(header, 0, 512) == 512) {
                String name = new String(header, 0, 100).replace("\0", "");
                if (name.isEmpty()) {
                    break;
                }
                String prefix = new String(header, 345, 155).replace("\0", "");
                names.add(prefix.isEmpty() ? name : prefix + "/" + name);
                long size = Long.parseLong(new String(header, 124, 11).replace("\0", "").trim(), 8);
                in.skipNBytes((size + 511) / 512 * 512);
            }
        }
        return names;
    }
}
