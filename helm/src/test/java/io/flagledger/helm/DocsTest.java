package io.flagledger.helm;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README and docs/ are the newcomer's way in: a moved page or a renamed heading must not leave dead links, and the
 * configuration reference must not miss a property. Lives in this module because it is the one whose tests already
 * read repository files, and it needs nothing running.
 */
class DocsTest {

    static final Path REPO = Paths.get(System.getProperty("flagledger.repo.dir", "..")).toAbsolutePath().normalize();
    static final List<String> SERVICES = List.of("flag-api", "approval-service", "audit-service", "monitor-service");

    /** [text](target) and ![alt](target); the target ends at whitespace or the closing parenthesis. */
    private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    private static final Pattern CODE_SPAN = Pattern.compile("`[^`]*`");

    @Test
    void everyRelativeLinkAndAnchorResolves() throws IOException {
        List<Path> pages = pages();
        assertThat(pages).as("README.md and docs/**/*.md").hasSizeGreaterThan(10);
        Map<Path, Set<String>> anchorsByPage = new HashMap<>();
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path page : pages) {
            for (String target : links(page)) {
                if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
                    continue; // http:, https:, mailto:: not ours to check offline
                }
                checked++;
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                String anchor = hash < 0 ? null : target.substring(hash + 1);
                Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
                String where = REPO.relativize(page) + ": " + target;
                if (!resolved.startsWith(REPO) || !Files.exists(resolved)) {
                    broken.add(where + " (no such file)");
                } else if (anchor != null && !anchor.isEmpty()) {
                    if (!resolved.toString().endsWith(".md")) {
                        broken.add(where + " (anchor into a file that is not Markdown)");
                    } else if (!anchorsByPage.computeIfAbsent(resolved, DocsTest::anchors).contains(anchor)) {
                        broken.add(where + " (no heading with that anchor in " + REPO.relativize(resolved) + ")");
                    }
                }
            }
        }
        assertThat(checked).as("relative links found").isGreaterThan(20);
        assertThat(broken).as("broken links").isEmpty();
    }

    @Test
    void theReadmeStaysAFrontDoor() throws IOException {
        List<String> lines = Files.readAllLines(REPO.resolve("README.md"));
        assertThat(lines).as("README.md lines: move detail into docs/").hasSizeLessThanOrEqualTo(200);
        String readme = String.join("\n", lines);
        assertThat(readme).contains("deploy/local/up", "./test", "docs/architecture.md", "FLAGLEDGER_SKIP_BROWSER_TESTS");
    }

    @Test
    void everyFlagledgerPropertyIsInTheConfigurationReference() throws IOException {
        String reference = Files.readString(REPO.resolve("docs/operations.md"));
        List<String> missing = new ArrayList<>();
        int found = 0;
        for (String service : SERVICES) {
            for (String line : Files.readAllLines(REPO.resolve(service + "/src/main/resources/application.properties"))) {
                if (line.startsWith("flagledger.")) {
                    String key = line.substring(0, line.indexOf('=') < 0 ? line.length() : line.indexOf('=')).trim();
                    found++;
                    if (!reference.contains("`" + key + "`")) {
                        missing.add(service + ": " + key);
                    }
                }
            }
        }
        assertThat(found).isGreaterThan(50);
        assertThat(missing).as("properties missing from docs/operations.md").isEmpty();
    }

    @Test
    void everyConfigMappingPropertyIsInTheConfigurationReference() throws IOException {
        String reference = Files.readString(REPO.resolve("docs/operations.md"));
        List<String> keys = new ArrayList<>();
        for (String service : SERVICES) {
            try (Stream<Path> sources = Files.walk(REPO.resolve(service + "/src/main/java"))) {
                for (Path source : sources.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                    keys.addAll(configMappingKeys(Files.readString(source)));
                }
            }
        }
        assertThat(keys).as("@ConfigMapping properties found").hasSizeGreaterThan(80);
        // a map property may be documented by its entries (sources."flag.changes"), so a documented prefix counts
        assertThat(keys).as("@ConfigMapping properties missing from docs/operations.md").allSatisfy(key ->
                assertThat(reference.contains("`" + key + "`") || reference.contains("`" + key + ".")).as(key).isTrue());
    }

    private static final Pattern MAPPING = Pattern.compile("@ConfigMapping\\(prefix\\s*=\\s*\"([^\"]+)\"\\)");
    private static final Pattern INTERFACE = Pattern.compile("^(?:public\\s+)?interface\\s+(\\w+)");
    private static final Pattern METHOD = Pattern.compile("^([\\w<>, ?.]+?)\\s+(\\w+)\\(\\);");
    private static final Pattern WITH_NAME = Pattern.compile("^@WithName\\(\"([^\"]*)\"\\)");
    private static final Pattern MAP_OF = Pattern.compile("^Map<String,\\s*(\\w+)>$");

    /**
     * The property names a {@code @ConfigMapping} interface declares: its methods in kebab case (or {@code @WithName}),
     * nested interfaces as groups, {@code Map<String, Group>} as {@code "<name>"} entries. A source-level reading that
     * fits the simple interfaces this project writes; a new construct shows up as a missing or odd name.
     */
    static List<String> configMappingKeys(String source) {
        Matcher mapping = MAPPING.matcher(source);
        if (!mapping.find()) {
            return List.of();
        }
        Map<String, List<String[]>> members = new HashMap<>();
        List<String> stack = new ArrayList<>();
        List<Integer> stackDepth = new ArrayList<>();
        String top = null;
        String withName = null;
        int depth = 0;
        for (String line : source.split("\n")) {
            String s = line.strip();
            Matcher i = INTERFACE.matcher(s);
            if (i.find()) {
                stack.add(i.group(1));
                stackDepth.add(depth);
                members.put(i.group(1), new ArrayList<>());
                top = top == null ? i.group(1) : top;
            }
            Matcher n = WITH_NAME.matcher(s);
            if (n.find()) {
                withName = n.group(1);
            }
            Matcher m = METHOD.matcher(s);
            if (m.find() && !stack.isEmpty()) {
                String name = withName != null ? withName : m.group(2).replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
                members.get(stack.get(stack.size() - 1)).add(new String[] {name, m.group(1)});
                withName = null;
            }
            depth += line.chars().filter(c -> c == '{').count() - line.chars().filter(c -> c == '}').count();
            while (!stack.isEmpty() && line.contains("}") && depth <= stackDepth.get(stackDepth.size() - 1)) {
                stack.remove(stack.size() - 1);
                stackDepth.remove(stackDepth.size() - 1);
            }
        }
        List<String> keys = new ArrayList<>();
        collect(members, top, mapping.group(1), keys);
        return keys;
    }

    private static void collect(Map<String, List<String[]>> members, String iface, String prefix, List<String> keys) {
        for (String[] member : members.get(iface)) {
            String key = prefix + "." + member[0];
            Matcher map = MAP_OF.matcher(member[1]);
            if (members.containsKey(member[1])) {
                collect(members, member[1], key, keys);
            } else if (map.find() && members.containsKey(map.group(1))) {
                collect(members, map.group(1), key + ".\"<name>\"", keys);
            } else {
                keys.add(key);
            }
        }
    }

    static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>();
        pages.add(REPO.resolve("README.md"));
        try (Stream<Path> docs = Files.walk(REPO.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    /** Link targets outside fenced code blocks and code spans. */
    static List<String> links(Path page) throws IOException {
        List<String> targets = new ArrayList<>();
        boolean fenced = false;
        for (String line : Files.readAllLines(page)) {
            if (line.stripLeading().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                continue;
            }
            Matcher m = LINK.matcher(CODE_SPAN.matcher(line).replaceAll(""));
            while (m.find()) {
                targets.add(m.group(1));
            }
        }
        return targets;
    }

    /** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces to '-', repeats numbered. */
    static Set<String> anchors(Path page) {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean fenced = false;
        try {
            for (String line : Files.readAllLines(page)) {
                if (line.stripLeading().startsWith("```")) {
                    fenced = !fenced;
                }
                if (fenced || !line.matches("^#{1,6} .*")) {
                    continue;
                }
                String text = line.replaceFirst("^#{1,6} ", "").replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
                String slug = text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}\\s_-]", "").trim().replace(' ', '-');
                int n = seen.merge(slug, 1, Integer::sum);
                anchors.add(n == 1 ? slug : slug + "-" + (n - 1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return anchors;
    }
}
