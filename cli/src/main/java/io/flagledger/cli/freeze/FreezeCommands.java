package io.flagledger.cli.freeze;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flagledger.cli.CliException;
import io.flagledger.cli.ExitCodes;
import io.flagledger.cli.CliCommand;
import io.flagledger.cli.Yaml;
import io.flagledger.cli.http.FlagApi;
import io.flagledger.cli.http.Http;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Incident freezes, which live in flag-api (role flag-freezer); the CLI only sets, lists and lifts them. */
public final class FreezeCommands {

    private FreezeCommands() {
    }

    abstract static class Base extends CliCommand {
        @Option(names = {"-p", "--project"}, required = true, description = "Project key")
        String project;

        static String describe(JsonNode f) {
            return f.path("id").asText() + "  " + (f.path("environment").isTextual() ? f.path("environment").asText() : "(whole project)")
                    + "  set by " + f.path("setBy").asText() + " at " + f.path("setAt").asText() + "  reason: " + f.path("reason").asText()
                    + (f.path("ticket").isTextual() ? "  ticket: " + f.path("ticket").asText() : "");
        }
    }

    @Command(name = "freeze", mixinStandardHelpOptions = true,
            description = "Freeze a project or one environment: flag-api refuses every flag write (423) except break-glass "
                    + "kill switches and approved reverts, until unfreeze. Exit 1 when it is already frozen.")
    public static class Freeze extends Base {
        @Option(names = {"-e", "--environment"}, description = "Only this environment (default: the whole project)")
        String environment;

        @Option(names = "--reason", required = true, description = "Why (recorded in the ledger, shown to refused writers)")
        String reason;

        @Option(names = "--ticket", description = "Incident ticket")
        String ticket;

        @Override
        public Integer call() {
            ObjectNode body = JsonNodeFactory.instance.objectNode().put("reason", reason);
            if (environment != null) {
                body.put("environment", environment);
            }
            if (ticket != null) {
                body.put("ticket", ticket);
            }
            try (var r = services.flagApi(options).freeze(project, body)) {
                if (r.getStatus() == 409) {
                    out().println("Already frozen:" + Http.problem(r));
                    return ExitCodes.FINDINGS;
                }
                if (r.getStatus() != 201) {
                    throw Http.failure(r, "freeze " + project);
                }
                JsonNode f = r.readEntity(JsonNode.class);
                out().println(options.json() ? Yaml.pretty(f) : "Frozen: " + describe(f));
                return ExitCodes.OK;
            }
        }
    }

    @Command(name = "unfreeze", mixinStandardHelpOptions = true,
            description = "Lift a freeze: by --id, or the one on --environment (or on the whole project without it).")
    public static class Unfreeze extends Base {
        @Option(names = "--id", description = "The freeze to lift (see: freezes)")
        String id;

        @Option(names = {"-e", "--environment"}, description = "Lift the freeze on this environment")
        String environment;

        @Option(names = "--reason", required = true, description = "Why it is safe again (recorded in the ledger)")
        String reason;

        @Override
        public Integer call() {
            FlagApi api = services.flagApi(options);
            String target = id;
            if (target == null) {
                List<JsonNode> matching = new ArrayList<>();
                for (JsonNode f : Http.json(api.freezes(project), "freezes of " + project, 200)) {
                    boolean whole = !f.path("environment").isTextual();
                    if (environment == null ? whole : environment.equals(f.path("environment").asText())) {
                        matching.add(f);
                    }
                }
                if (matching.isEmpty()) {
                    out().println("No such freeze on " + project + (environment == null ? "" : "/" + environment));
                    return ExitCodes.FINDINGS;
                }
                if (matching.size() > 1) {
                    throw new CliException(ExitCodes.ERROR, "several freezes match; pass --id");
                }
                target = matching.get(0).path("id").asText();
            }
            JsonNode lifted = Http.json(api.lift(project, target, JsonNodeFactory.instance.objectNode().put("reason", reason)),
                    "lift freeze " + target, 200);
            out().println(options.json() ? Yaml.pretty(lifted) : "Lifted freeze " + target + " on " + project);
            return ExitCodes.OK;
        }
    }

    @Command(name = "freezes", mixinStandardHelpOptions = true, description = "List a project's active freezes. Exit 1 when there is one.")
    public static class Freezes extends Base {
        @Override
        public Integer call() {
            JsonNode list = Http.json(services.flagApi(options).freezes(project), "freezes of " + project, 200);
            if (options.json()) {
                out().println(Yaml.pretty(list));
            } else if (list.isEmpty()) {
                out().println("No freeze on " + project);
            } else {
                list.forEach(f -> out().println(describe(f)));
            }
            return list.isEmpty() ? ExitCodes.OK : ExitCodes.FINDINGS;
        }
    }
}
