package io.flagledger.cli;

import io.flagledger.cli.audit.AuditCommand;
import io.flagledger.cli.freeze.FreezeCommands;
import io.flagledger.cli.gitops.ApplyCommand;
import io.flagledger.cli.gitops.ExportCommand;
import io.flagledger.cli.gitops.PlanCommand;
import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine.Command;

@TopCommand
@Command(name = "flagledger", mixinStandardHelpOptions = true, version = "flagledger 0.1.0",
        description = "Flags as code (export, plan, apply), incident freezes and audit evidence for Flagledger.",
        footer = {"", "Exit codes: 0 ok, 1 findings (drift, a failed verification, a rejected or unapproved change), "
                + "2 usage or transport error.",
                "Sign-in: FLAGLEDGER_TOKEN, or FLAGLEDGER_CLIENT_ID + FLAGLEDGER_CLIENT_SECRET + FLAGLEDGER_ISSUER "
                        + "(client credentials), or the OIDC device flow (--device-login). Never a password."},
        subcommands = {ExportCommand.class, PlanCommand.class, ApplyCommand.class,
                FreezeCommands.Freeze.class, FreezeCommands.Unfreeze.class, FreezeCommands.Freezes.class,
                AuditCommand.class})
public class FlagledgerCommand {
}
