package io.flagledger.cli;

import io.flagledger.cli.http.Services;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every command has: the shared options, the clients of the services, and picocli's streams to print on. */
public abstract class CliCommand implements Callable<Integer> {

    @Mixin
    protected Options options;

    @Spec
    protected CommandSpec spec;

    @Inject
    protected Services services;

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    protected PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
