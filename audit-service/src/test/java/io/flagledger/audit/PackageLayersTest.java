package io.flagledger.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps audit-service's packages pointing one way, as issue #13 layered the log core (in the spirit of Tessera):
 * storage of the tree's nodes ({@code merkle}) at the bottom, integration (append a batch and its nodes:
 * {@code ledger}) above it, signing ({@code checkpoint}) and proving ({@code proof}) above that, ingestion
 * ({@code ingest}) on top; and no package cycle anywhere in the service. A reference is any mention of another
 * package's class in a main source file: an import, a static import or a qualified name.
 */
class PackageLayersTest {

    private static final String BASE = "io.flagledger.audit";
    private static final Pattern REFERENCE = Pattern.compile(Pattern.quote(BASE) + "\\.([a-z]\\w*(?:\\.[a-z]\\w*)*)\\.(?:[A-Z]|\\*)");
    private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+" + Pattern.quote(BASE) + "\\.([\\w.]+);");
    /** The log core, lowest layer first; a package may refer only to core packages of lower layers. */
    private static final List<Set<String>> CORE = List.of(Set.of("merkle"), Set.of("ledger"), Set.of("checkpoint", "proof"),
            Set.of("ingest"));

    @Test
    void noPackageCycles() {
        assertThat(cycles(references(Path.of("src/main/java")))).as("package cycles in audit-service").isEmpty();
    }

    @Test
    void theLogCoresReferencesPointDown() {
        Map<String, Set<String>> references = references(Path.of("src/main/java"));
        List<String> upward = new ArrayList<>();
        for (int layer = 0; layer < CORE.size(); layer++) {
            for (String pkg : CORE.get(layer)) {
                for (String target : references.getOrDefault(pkg, Set.of())) {
                    int targetLayer = layerOf(target);
                    if (targetLayer >= layer) {
                        upward.add(pkg + " -> " + target);
                    }
                }
            }
        }
        assertThat(references).as("the scan found the core's packages").containsKeys("ledger", "checkpoint", "proof", "ingest");
        assertThat(upward).as("references within or up the log core's layers").isEmpty();
    }

    /** The checks above can fail: a cycle through three packages is found, and only its members are named. */
    @Test
    void aCycleIsFound() {
        Map<String, Set<String>> graph = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a", "d"), "d", Set.of());
        assertThat(cycles(graph)).containsExactly(new TreeSet<>(Set.of("a", "b", "c")));
        assertThat(cycles(Map.of("a", Set.of("b"), "b", Set.of()))).isEmpty();
    }

    private static int layerOf(String pkg) {
        for (int i = 0; i < CORE.size(); i++) {
            if (CORE.get(i).contains(pkg)) {
                return i;
            }
        }
        return -1; // outside the core: not this test's concern
    }

    /** Package (relative to {@link #BASE}) to the packages its classes refer to. */
    static Map<String, Set<String>> references(Path sources) {
        Map<String, Set<String>> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String text = Files.readString(file);
                Matcher declared = PACKAGE.matcher(text);
                if (!declared.find()) {
                    continue;
                }
                String pkg = declared.group(1);
                Set<String> targets = out.computeIfAbsent(pkg, p -> new TreeSet<>());
                Matcher m = REFERENCE.matcher(text);
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        targets.add(m.group(1));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The strongly connected components of more than one package (Tarjan), each as a sorted set. */
    static List<Set<String>> cycles(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new HashSet<>();
        List<Set<String>> found = new ArrayList<>();
        for (String v : new TreeSet<>(graph.keySet())) {
            if (!index.containsKey(v)) {
                connect(v, graph, index, low, stack, onStack, found);
            }
        }
        return found;
    }

    private static void connect(String v, Map<String, Set<String>> graph, Map<String, Integer> index, Map<String, Integer> low,
                                Deque<String> stack, Set<String> onStack, List<Set<String>> found) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        onStack.add(v);
        for (String w : graph.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                connect(w, graph, index, low, stack, onStack, found);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                found.add(component);
            }
        }
    }
}
