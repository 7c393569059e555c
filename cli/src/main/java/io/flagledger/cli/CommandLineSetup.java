package io.flagledger.cli;

import io.quarkus.picocli.runtime.PicocliCommandLineFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.ws.rs.ProcessingException;
import picocli.CommandLine;

/** Exit codes CI can branch on: a usage error is 2 (picocli's default), and so is anything that stopped a command. */
@ApplicationScoped
public class CommandLineSetup {

    @Produces
    CommandLine commandLine(PicocliCommandLineFactory factory) {
        return configure(factory.create());
    }

    public static CommandLine configure(CommandLine line) {
        return line.setExitCodeExceptionMapper(ExitCodesOf::exitCode)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("flagledger: " + ExitCodesOf.message(e));
                    return ExitCodesOf.exitCode(e);
                });
    }

    static final class ExitCodesOf {

        private ExitCodesOf() {
        }

        static int exitCode(Throwable e) {
            return e instanceof CliException c ? c.exitCode() : ExitCodes.ERROR;
        }

        static String message(Throwable e) {
            if (e instanceof CliException) {
                return e.getMessage();
            }
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            // a transport failure names the service it could not reach; no stack trace for a user
            String what = e instanceof ProcessingException || root instanceof java.net.ConnectException
                    ? "cannot reach the service: " : "";
            return what + (root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage());
        }
    }
}
