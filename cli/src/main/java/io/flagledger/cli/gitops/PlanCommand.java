package io.flagledger.cli.gitops;

import io.flagledger.cli.CliException;
import io.flagledger.cli.ExitCodes;
import io.flagledger.cli.CliCommand;
import io.flagledger.cli.Yaml;
import io.flagledger.cli.http.AuditApi;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Compare the files with what is live: per flag and environment the same diff approvers see "
                + "(rules in evaluation order, rollouts in percent). Exit 0; with --detect-drift exit 1 when live differs "
                + "from the files, naming who changed it last and when (from the audit ledger).")
public class PlanCommand extends CliCommand {

    @Mixin
    ProjectDir target;

    @Option(names = "--detect-drift", description = "Exit 1 when live state differs from the files, naming the last writer")
    boolean detectDrift;

    @Override
    public Integer call() {
        FlagFiles.Project files = FlagFiles.read(target.dir);
        List<Plan.Change> changes = Plan.between(files, Live.fetch(services.flagApi(options), target.project, files.segments().keySet()));
        Map<Plan.Change, Drift.LastChange> drift = new LinkedHashMap<>();
        if (detectDrift) {
            AuditApi audit = services.audit(options);
            for (Plan.Change c : changes) {
                if (c.kind() == Plan.Kind.CREATE_FLAG || c.kind() == Plan.Kind.SEGMENT && c.baseVersion() == 0) {
                    continue; // in Git, not yet live: nobody changed anything behind Git's back
                }
                try {
                    Drift.LastChange last = Drift.of(audit, target.project, c);
                    if (last != null) {
                        drift.put(c, last);
                    }
                } catch (CliException e) {
                    err().println("flagledger: who changed " + c.subject() + " is unknown: " + e.getMessage());
                }
            }
        }
        PrintWriter out = out();
        if (options.json()) {
            var json = PlanPrinter.json(changes, drift);
            json.put("project", target.project).put("drift", detectDrift && hasDrift(changes));
            out.println(Yaml.pretty(json));
        } else {
            PlanPrinter.text(out, changes, drift);
        }
        return detectDrift && hasDrift(changes) ? ExitCodes.FINDINGS : ExitCodes.OK;
    }

    /** Drift is live state Git does not describe; a flag only in Git is a pending change, not drift. */
    static boolean hasDrift(List<Plan.Change> changes) {
        return changes.stream().anyMatch(c -> c.kind() != Plan.Kind.CREATE_FLAG && !(c.kind() == Plan.Kind.SEGMENT && c.baseVersion() == 0));
    }
}
