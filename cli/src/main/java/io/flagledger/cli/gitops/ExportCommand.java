package io.flagledger.cli.gitops;

import io.flagledger.cli.ExitCodes;
import io.flagledger.cli.CliCommand;
import io.flagledger.cli.Yaml;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a target.project's flags (metadata, variations, every environment's config) and segments as YAML: "
                + "flags/<key>.yaml and segments/<environment>/<key>.yaml, in a stable order so a Git diff is the change.")
public class ExportCommand extends CliCommand {

    @Mixin
    ProjectDir target;

    @Override
    public Integer call() {
        Live live = Live.fetch(services.flagApi(options), target.project, List.of());
        FlagFiles.Project files = live.asFiles();
        FlagFiles.write(target.dir, files);
        int segments = files.segments().values().stream().mapToInt(java.util.Map::size).sum();
        if (options.json()) {
            out().println(Yaml.pretty(java.util.Map.of("project", target.project, "dir", target.dir.toString(),
                    "flags", files.flags().size(), "segments", segments)));
        } else {
            out().println("Exported " + files.flags().size() + " flags and " + segments
                    + " segments of " + target.project + " to " + target.dir);
        }
        return ExitCodes.OK;
    }
}
