package io.flagledger.cli.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagledger.cli.CliException;
import io.flagledger.cli.Yaml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlagFilesTest {

    @TempDir
    Path dir;

    @Test
    void aFlagFileRoundTripsAndKeepsWhatLooksLikeOtherTypes() throws Exception {
        JsonNode doc = FlagFiles.flagDocument(Samples.view(3, 10));
        String yaml = Yaml.write(doc);
        assertThat(Yaml.read(yaml)).isEqualTo(doc);
        // "on"/"off" are variation names (strings), not YAML 1.1 booleans; true/false stay booleans
        assertThat(Yaml.read(yaml).at("/variations/0/name").isTextual()).isTrue();
        assertThat(Yaml.read(yaml).at("/variations/0/value").isBoolean()).isTrue();
        var tricky = Yaml.JSON.readTree("{\"a\":\"1\",\"b\":\"yes\",\"c\":\"null\",\"d\":\"on\",\"e\":\"2026-01-01\",\"f\":1}");
        assertThat(Yaml.read(Yaml.write(tricky))).isEqualTo(tricky);
    }

    @Test
    void aFileHasNoServerStateAndAFixedOrder() throws Exception {
        String yaml = Yaml.write(FlagFiles.flagDocument(Samples.view(3, 10)));
        assertThat(yaml).doesNotContain("version").doesNotContain("protectedEnvironment").doesNotContain("project:")
                .doesNotContain("null");
        assertThat(yaml.indexOf("key: checkout")).isZero();
        // environments by name, whatever order flag-api lists them in; target members sorted
        assertThat(yaml.indexOf("development:")).isLessThan(yaml.indexOf("production:"));
        assertThat(yaml.indexOf("production:")).isLessThan(yaml.indexOf("staging:"));
        assertThat(yaml.indexOf("- u1")).isLessThan(yaml.indexOf("- u2"));
        assertThat(yaml).contains("  staging:\n    enabled: true\n");
    }

    @Test
    void exportingTwiceWritesTheSameBytesAndReadingGivesTheFilesBack() throws Exception {
        Live live = new Live(Map.of("checkout", Samples.view(3, 10)), Map.of("staging", Map.of("vip",
                Yaml.JSON.readTree("{\"key\":\"vip\",\"version\":2,\"definition\":{\"key\":\"vip\",\"included\":[\"b\",\"a\"],\"excluded\":[],\"rules\":[]}}"))),
                java.util.Set.of("production"));
        FlagFiles.write(dir, live.asFiles());
        String first = Files.readString(dir.resolve("flags/checkout.yaml"));
        String segment = Files.readString(dir.resolve("segments/staging/vip.yaml"));
        FlagFiles.write(dir, live.asFiles());
        assertThat(Files.readString(dir.resolve("flags/checkout.yaml"))).isEqualTo(first);
        assertThat(segment).isEqualTo("included:\n  - a\n  - b\nexcluded: []\nrules: []\n");
        FlagFiles.Project read = FlagFiles.read(dir);
        assertThat(read.flags().get("checkout")).isEqualTo(live.asFiles().flags().get("checkout"));
        assertThat(Plan.between(read, live)).isEmpty();
    }

    @Test
    void aFileWhoseKeyIsNotItsNameIsRefused() throws Exception {
        Files.createDirectories(dir.resolve("flags"));
        Files.writeString(dir.resolve("flags/a.yaml"), "key: b\nname: B\n");
        assertThatThrownBy(() -> FlagFiles.read(dir)).isInstanceOf(CliException.class).hasMessageContaining("does not match");
        Files.writeString(dir.resolve("flags/a.yaml"), "key: [unclosed\n");
        assertThatThrownBy(() -> FlagFiles.read(dir)).isInstanceOf(CliException.class).hasMessageContaining("a.yaml");
    }
}
