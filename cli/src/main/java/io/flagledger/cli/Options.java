package io.flagledger.cli;

import picocli.CommandLine.Option;

/** Where the services are and how to print; every command mixes these in. URLs default to the environment. */
public class Options {

    public enum Output { text, json }

    @Option(names = "--flag-api", defaultValue = "${env:FLAGLEDGER_FLAG_API_URL:-http://127.0.0.1:8080}",
            description = "flag-api base URL (env FLAGLEDGER_FLAG_API_URL; default ${DEFAULT-VALUE})")
    public String flagApi;

    @Option(names = "--approval-service", defaultValue = "${env:FLAGLEDGER_APPROVAL_URL:-http://127.0.0.1:8081}",
            description = "approval-service base URL (env FLAGLEDGER_APPROVAL_URL; default ${DEFAULT-VALUE})")
    public String approvalService;

    @Option(names = "--audit-service", defaultValue = "${env:FLAGLEDGER_AUDIT_URL:-http://127.0.0.1:8082}",
            description = "audit-service base URL (env FLAGLEDGER_AUDIT_URL; default ${DEFAULT-VALUE})")
    public String auditService;

    @Option(names = "--output", defaultValue = "text", description = "text or json (for machines); default ${DEFAULT-VALUE}")
    public Output output;

    @Option(names = "--device-login", description = "Sign in with the OIDC device flow (prints a URL and a code to confirm in a browser)")
    public boolean deviceLogin;

    public boolean json() {
        return output == Output.json;
    }
}
