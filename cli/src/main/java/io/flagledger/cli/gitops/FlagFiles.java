package io.flagledger.cli.gitops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.cli.CliException;
import io.flagledger.cli.ExitCodes;
import io.flagledger.cli.Yaml;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The files of a project in Git: {@code flags/<key>.yaml} (metadata, variations, every environment's config) and
 * {@code segments/<environment>/<key>.yaml}. What the server keeps for itself (versions, the project, the
 * environment's protection) is left out, fields come in one fixed order, environments by name and set members
 * sorted, so exporting twice gives the same bytes and a Git diff is exactly the change.
 */
public final class FlagFiles {

    /** Flag fields in the order files show them; anything else flag-api adds is left out. */
    static final List<String> FLAG_FIELDS = List.of("key", "name", "description", "kind", "type", "owner", "expiresAt",
            "tags", "risk", "clientVisible", "archived", "variations");
    /** The metadata a PATCH changes (FlagRequests.UpdateMetadata). */
    static final List<String> METADATA = List.of("name", "description", "owner", "expiresAt", "tags", "risk", "clientVisible");
    static final List<String> CONFIG_FIELDS = List.of("enabled", "offVariation", "targets", "rules", "fallthrough");
    static final List<String> SEGMENT_FIELDS = List.of("included", "excluded", "rules");

    private FlagFiles() {
    }

    /** A project as files: flags by key, segments by environment then key. */
    public record Project(Map<String, JsonNode> flags, Map<String, Map<String, JsonNode>> segments) {
    }

    /** The flag file's content for flag-api's view of a flag. */
    public static ObjectNode flagDocument(JsonNode view) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        for (String field : FLAG_FIELDS) {
            JsonNode v = clean(view.get(field));
            if (v != null) {
                doc.set(field, v);
            }
        }
        ObjectNode environments = doc.putObject("environments");
        Map<String, JsonNode> byName = new TreeMap<>();
        for (JsonNode env : view.path("environments")) {
            byName.put(env.path("environment").asText(), configDocument(env.path("config")));
        }
        byName.forEach(environments::set);
        return doc;
    }

    /** An environment config in field order, with target members sorted (they are sets). */
    public static ObjectNode configDocument(JsonNode config) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (String field : CONFIG_FIELDS) {
            JsonNode v = clean(config.get(field));
            if (v != null) {
                out.set(field, v);
            }
        }
        for (JsonNode target : out.path("targets")) {
            if (target.has("values")) {
                ((ObjectNode) target).set("values", sorted(target.get("values")));
            }
        }
        return out;
    }

    public static ObjectNode segmentDocument(JsonNode definition) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (String field : SEGMENT_FIELDS) {
            JsonNode v = clean(definition.get(field));
            if (v != null) {
                out.set(field, field.equals("rules") ? v : sorted(v));
            }
        }
        return out;
    }

    public static void write(Path dir, Project project) {
        try {
            Path flags = dir.resolve("flags");
            Files.createDirectories(flags);
            deleteYaml(flags);
            for (Map.Entry<String, JsonNode> e : new TreeMap<>(project.flags()).entrySet()) {
                Files.writeString(flags.resolve(e.getKey() + ".yaml"), Yaml.write(e.getValue()), StandardCharsets.UTF_8);
            }
            Path segments = dir.resolve("segments");
            for (Map.Entry<String, Map<String, JsonNode>> env : new TreeMap<>(project.segments()).entrySet()) {
                Path envDir = segments.resolve(env.getKey());
                Files.createDirectories(envDir);
                deleteYaml(envDir);
                for (Map.Entry<String, JsonNode> s : new TreeMap<>(env.getValue()).entrySet()) {
                    Files.writeString(envDir.resolve(s.getKey() + ".yaml"), Yaml.write(s.getValue()), StandardCharsets.UTF_8);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a directory written by {@link #write} (and edited by people); a file's key is its name. */
    public static Project read(Path dir) {
        if (!Files.isDirectory(dir.resolve("flags"))) {
            throw new CliException(ExitCodes.ERROR, "no flags/ directory in " + dir);
        }
        Map<String, JsonNode> flags = new TreeMap<>();
        for (Path file : yamlFiles(dir.resolve("flags"))) {
            String key = stem(file);
            JsonNode doc = readFile(file);
            if (doc.has("key") && !key.equals(doc.get("key").asText())) {
                throw new CliException(ExitCodes.ERROR, file + ": key '" + doc.get("key").asText() + "' does not match the file name");
            }
            ObjectNode withKey = ((ObjectNode) doc).deepCopy();
            withKey.put("key", key);
            flags.put(key, withKey);
        }
        Map<String, Map<String, JsonNode>> segments = new TreeMap<>();
        Path segmentDir = dir.resolve("segments");
        if (Files.isDirectory(segmentDir)) {
            try (Stream<Path> envs = Files.list(segmentDir)) {
                for (Path env : envs.filter(Files::isDirectory).sorted().toList()) {
                    Map<String, JsonNode> byKey = new TreeMap<>();
                    for (Path file : yamlFiles(env)) {
                        byKey.put(stem(file), readFile(file));
                    }
                    segments.put(env.getFileName().toString(), byKey);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new Project(flags, segments);
    }

    private static JsonNode readFile(Path file) {
        try {
            JsonNode doc = Yaml.read(Files.readString(file, StandardCharsets.UTF_8));
            if (doc == null || !doc.isObject()) {
                throw new CliException(ExitCodes.ERROR, file + ": expected a mapping");
            }
            return doc;
        } catch (CliException e) {
            throw new CliException(ExitCodes.ERROR, file + ": " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> yamlFiles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteYaml(Path dir) throws IOException {
        // an export is the whole project: a flag that is gone must not linger as a file
        for (Path f : yamlFiles(dir)) {
            Files.delete(f);
        }
    }

    private static String stem(Path file) {
        String name = file.getFileName().toString();
        return name.substring(0, name.length() - ".yaml".length());
    }

    private static ArrayNode sorted(JsonNode array) {
        List<JsonNode> items = new ArrayList<>();
        array.forEach(items::add);
        items.sort((a, b) -> a.asText(a.toString()).compareTo(b.asText(b.toString())));
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        items.forEach(out::add);
        return out;
    }

    /** Without nulls (flag-api writes them for absent fields; a file need not). */
    static JsonNode clean(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isObject()) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> e = fields.next();
                JsonNode v = clean(e.getValue());
                if (v != null) {
                    copy.set(e.getKey(), v);
                }
            }
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode();
            node.forEach(n -> {
                JsonNode v = clean(n);
                copy.add(v == null ? JsonNodeFactory.instance.nullNode() : v);
            });
            return copy;
        }
        return node;
    }
}
