package io.flagledger.cli.gitops;

import io.flagledger.cli.ExitCodes;
import io.flagledger.cli.Options;
import io.flagledger.cli.Yaml;
import io.flagledger.cli.http.Services;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a project's flags (metadata, variations, every environment's config) and segments as YAML: "
                + "flags/<key>.yaml and segments/<environment>/<key>.yaml, in a stable order so a Git diff is the change.")
public class ExportCommand implements Callable<Integer> {

    @Mixin
    Options options;

    @Option(names = {"-p", "--project"}, required = true, description = "Project key")
    String project;

    @Option(names = {"-d", "--dir"}, defaultValue = ".", description = "Directory to write into (default: ${DEFAULT-VALUE})")
    Path dir;

    @Spec
    CommandSpec spec;

    @Inject
    Services services;

    @Override
    public Integer call() {
        Live live = Live.fetch(services.flagApi(options), project, List.of());
        FlagFiles.Project files = live.asFiles();
        FlagFiles.write(dir, files);
        int segments = files.segments().values().stream().mapToInt(java.util.Map::size).sum();
        if (options.json()) {
            spec.commandLine().getOut().println(Yaml.pretty(java.util.Map.of("project", project, "dir", dir.toString(),
                    "flags", files.flags().size(), "segments", segments)));
        } else {
            spec.commandLine().getOut().println("Exported " + files.flags().size() + " flags and " + segments
                    + " segments of " + project + " to " + dir);
        }
        return ExitCodes.OK;
    }
}
