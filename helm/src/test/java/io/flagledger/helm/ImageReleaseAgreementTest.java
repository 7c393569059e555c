package io.flagledger.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The images the chart installs by default are the images the release pushes: the chart's values (registry,
 * repository, empty tag = appVersion), the Maven version, docker/Dockerfile.jvm (what it copies from the build) and
 * .github/workflows/release.yml (names, tags, platforms) must agree. Nothing here can build an image (no Docker), so
 * each file is read and compared.
 */
class ImageReleaseAgreementTest {

    private static final Path ROOT = Chart.DIR.getParent().getParent();
    private static final Path DOCKERFILE = ROOT.resolve("docker/Dockerfile.jvm");
    private static final Path WORKFLOW = ROOT.resolve(".github/workflows/release.yml");
    private static final List<String> SERVICES = Chart.SERVICE_KEYS.stream().map(Chart::component).toList();
    /** The fast-jar layout (quarkus.package.jar.type=fast-jar, Quarkus' default) the image runs. */
    private static final List<String> FAST_JAR_COPIES = List.of(
            "${SERVICE}/target/quarkus-app/lib/ /deployments/lib/",
            "${SERVICE}/target/quarkus-app/*.jar /deployments/",
            "${SERVICE}/target/quarkus-app/app/ /deployments/app/",
            "${SERVICE}/target/quarkus-app/quarkus/ /deployments/quarkus/");

    private static String releaseVersion() {
        return System.getProperty("flagledger.project.version", "0.1.0-SNAPSHOT").replace("-SNAPSHOT", "");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object node) {
        return (Map<String, Object>) node;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> workflowEnv() {
        return map(Chart.readYaml(WORKFLOW).get("env"));
    }

    @Test
    void chartDefaultsAreTheImagesTheReleasePushes() {
        Map<String, Object> env = workflowEnv();
        assertThat(Arrays.asList(env.get("SERVICES").toString().split(" "))).as("release.yml SERVICES")
                .containsExactlyElementsOf(SERVICES);
        Map<String, Object> chart = Chart.readYaml(Chart.DIR.resolve("Chart.yaml"));
        assertThat(chart.get("appVersion")).as("Chart.yaml appVersion = Maven version").isEqualTo(releaseVersion());
        Map<String, Object> services = map(Chart.readYaml(Chart.DIR.resolve("values.yaml")).get("services"));
        for (String key : Chart.SERVICE_KEYS) {
            String service = Chart.component(key);
            Map<String, Object> image = map(map(services.get(key)).get("image"));
            // An explicit tag or digest would pin the chart to something other than the release it ships with.
            assertThat(image).as(key + ".image").containsEntry("tag", "").containsEntry("digest", "");
            String pushed = env.get("REGISTRY") + "/" + env.get("IMAGE_NAMESPACE") + "/" + service + ":" + releaseVersion();
            assertThat(Chart.defaults().container(service).getImage()).as(service + " default image").isEqualTo(pushed);
        }
    }

    @Test
    void releaseWorkflowPushesMultiArchImagesTaggedWithTheVersion() {
        Map<String, Object> workflow = Chart.readYaml(WORKFLOW);
        assertThat(map(map(workflow.get("on")).get("push")).get("tags")).isEqualTo(List.of("v*"));
        assertThat(workflow.get("permissions")).as("least privilege")
                .isEqualTo(Map.of("contents", "read", "packages", "write"));
        assertThat(workflowEnv()).containsEntry("PLATFORMS", "linux/amd64,linux/arm64")
                .containsEntry("DOCKERFILE", ROOT.relativize(DOCKERFILE).toString());
        String text = read(WORKFLOW);
        assertThat(text).contains(
                "version=\"${GITHUB_REF_NAME#v}\"",
                "[ \"${project%-SNAPSHOT}\" != \"$version\" ] || [ \"$app\" != \"$version\" ]",
                "./mvnw -B package -DskipTests -pl \"$(echo \"$SERVICES\" | tr ' ' ',')\" -am",
                "docker/setup-qemu-action@", "docker/setup-buildx-action@", "docker/login-action@",
                "password: ${{ secrets.GITHUB_TOKEN }}",
                "docker buildx build --platform \"$PLATFORMS\" -f \"$DOCKERFILE\" --build-arg \"SERVICE=$service\"",
                "--tag \"$REGISTRY/$IMAGE_NAMESPACE/$service:$VERSION\" --push .");
    }

    @Test
    void dockerfileRunsTheFastJarLayoutTheBuildProduces() {
        assertThat(DOCKERFILE).exists();
        List<String> lines = read(DOCKERFILE).lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        Matcher from = Pattern.compile("FROM registry\\.access\\.redhat\\.com/ubi9/openjdk-(\\d+)-runtime:[0-9.]+")
                .matcher(lines.get(0));
        assertThat(from.matches()).as("official UBI OpenJDK runtime base, pinned: " + lines.get(0)).isTrue();
        Matcher release = Pattern.compile("<maven.compiler.release>(\\d+)<").matcher(read(ROOT.resolve("pom.xml")));
        assertThat(release.find()).isTrue();
        assertThat(Integer.parseInt(from.group(1))).as("runtime Java >= maven.compiler.release")
                .isGreaterThanOrEqualTo(Integer.parseInt(release.group(1)));
        assertThat(lines).contains("ARG SERVICE", "ENV JAVA_APP_JAR=\"/deployments/quarkus-run.jar\"");
        assertThat(lines.stream().filter(l -> l.startsWith("COPY")).map(l -> l.replace("COPY --chown=185 ", "")))
                .containsExactlyElementsOf(FAST_JAR_COPIES);
        // The chart's pods run as this user (podSecurityContext.runAsUser).
        Object runAsUser = map(Chart.readYaml(Chart.DIR.resolve("values.yaml")).get("podSecurityContext")).get("runAsUser");
        assertThat(lines).contains("USER " + runAsUser);
        assertThat(read(ROOT.resolve(".dockerignore")).lines()).contains("*", "!*/target/quarkus-app/");
        for (String service : SERVICES) {
            // An uber-jar or native build would not produce target/quarkus-app/ and the COPY lines would fail.
            assertThat(read(ROOT.resolve(service).resolve("pom.xml"))).as(service + "/pom.xml")
                    .contains("<artifactId>" + service + "</artifactId>").doesNotContain("quarkus.package");
            assertThat(read(ROOT.resolve(service).resolve("src/main/resources/application.properties")))
                    .as(service + " application.properties").doesNotContain("quarkus.package.");
        }
    }

    @Test
    void kindScriptBuildsTheReleaseImages() {
        String script = read(Chart.DIR.getParent().resolve("try-on-kind.sh"));
        assertThat(script).contains(
                "docker build -q -f \"$ROOT/docker/Dockerfile.jvm\" --build-arg \"SERVICE=$svc\" "
                        + "-t \"ghcr.io/flagledger/$svc:$VERSION\" \"$ROOT\"",
                "VERSION=$(sed -n 's/^appVersion:",
                "SERVICES=(" + String.join(" ", SERVICES) + ")");
        assertThat(script.lines()).as("no inline Dockerfile").noneMatch(l -> l.startsWith("FROM "));
    }

    /** The chart is the one deployment description: no Quarkus manifest generator writes a second, divergent one. */
    @Test
    void noGeneratedKubernetesManifests() {
        for (String service : SERVICES) {
            assertThat(read(ROOT.resolve(service).resolve("pom.xml"))).as(service + "/pom.xml")
                    .doesNotContain("quarkus-kubernetes", "quarkus-helm", "quarkus-openshift", "quarkus-kind",
                            "quarkus-minikube");
            assertThat(read(ROOT.resolve(service).resolve("src/main/resources/application.properties")))
                    .doesNotContain("quarkus.kubernetes.", "quarkus.helm.");
        }
    }
}
