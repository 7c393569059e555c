package io.flagledger.cli.gitops;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The project and the directory of its flag files: what export writes and plan and apply read. */
public class ProjectDir {

    @Option(names = {"-p", "--project"}, required = true, description = "Project key")
    String project;

    @Option(names = {"-d", "--dir"}, defaultValue = ".",
            description = "Directory of the project's flag files, as export writes them (default: ${DEFAULT-VALUE})")
    Path dir;
}
