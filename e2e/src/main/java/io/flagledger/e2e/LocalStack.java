package io.flagledger.e2e;

import io.flagledger.testsupport.keycloak.DemoRealm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CountDownLatch;

/**
 * {@code deploy/local/up} runs this: starts the stack, writes what a newcomer needs (URLs, demo users,
 * passwords) to {@code deploy/local/.state/stack.env}, prints it, and keeps everything running until it
 * is told to stop (SIGTERM from {@code deploy/local/down}), then stops every process it started.
 */
public final class LocalStack {

    private LocalStack() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        Path state = root.resolve("deploy/local/.state");
        CountDownLatch stopped = new CountDownLatch(1);
        // deploy/local/up --port-base N sets it; empty or 0: free ports (the default)
        String base = System.getenv().getOrDefault("FLAGLEDGER_PORT_BASE", "");
        Stack stack = Stack.start(root, state, Stack.ALL_SERVICES, java.util.Map.of(), base.isBlank() ? 0 : Integer.parseInt(base.trim()));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stack.close();
            stopped.countDown();
        }, "local-stack-stop"));
        writeEnv(stack, state.resolve("stack.env"));
        Files.writeString(state.resolve("service.pids"), String.join("\n",
                stack.servicePids().stream().map(String::valueOf).toList()) + "\n");
        System.out.println("FLAGLEDGER-STACK-READY");
        stopped.await();
    }

    private static void writeEnv(Stack stack, Path file) throws IOException {
        StringBuilder env = new StringBuilder();
        stack.urls().forEach((name, url) -> env.append(name.toUpperCase().replace('-', '_')).append("_URL=").append(url).append('\n'));
        env.append("CONSOLE_URL=").append(stack.urls().get("approval-service")).append("/console\n");
        env.append("KAFKA_BOOTSTRAP=").append(stack.kafka().bootstrapServers()).append('\n');
        env.append("KEYCLOAK_URL=").append(stack.keycloak().baseUrl()).append('\n');
        env.append("OIDC_ISSUER=").append(stack.keycloak().issuerUrl()).append('\n');
        env.append("TOKEN_URL=").append(stack.keycloak().issuerUrl()).append("/protocol/openid-connect/token\n");
        env.append("CLI_CLIENT=").append(DemoRealm.CLI_CLIENT).append('\n');
        for (String user : DemoRealm.USERS) {
            env.append("PASSWORD_").append(user.toUpperCase().replace('-', '_')).append('=').append(stack.realm().password(user)).append('\n');
        }
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, env);
    }
}
