package io.flagledger.e2e.bench;

import io.flagledger.e2e.Stack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * bench/side-by-side.sh runs this: flag-api on loopback (real PostgreSQL, Kafka, Keycloak) with {@code flags} flags,
 * each serving "on" to 50% of targeting keys in staging, and a server SDK key; writes FLAGLEDGER_URL, SDK_KEY and
 * FLAG_API_PID to the given file and runs until SIGTERM, then stops everything it started.
 * Usage: SideBySideStack &lt;env-file&gt; [flags=100]
 */
public final class SideBySideStack {

    private SideBySideStack() {
    }

    public static void main(String[] args) throws Exception {
        Path envFile = Path.of(args[0]);
        int flags = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        Path root = Path.of(".").toAbsolutePath().normalize();
        Stack stack = Stack.start(root, root.resolve("e2e/target/side-by-side-stack"), List.of("flag-api"));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stack.close();
            stopped.countDown();
        }, "side-by-side-stop"));
        Api api = new Api(stack.url("flag-api"), stack.token("requester"), stack.token("admin"));
        for (int i = 0; i < flags; i++) {
            api.createRolloutFlag("bench", "staging", "flag-" + i);
        }
        String sdkKey = api.issueSdkKey("bench", "staging");
        api.awaitEvaluable(sdkKey, "flag-" + (flags - 1));
        Files.writeString(envFile, "FLAGLEDGER_URL=" + stack.url("flag-api") + "\nSDK_KEY=" + sdkKey + "\nFLAG_API_PID="
                + stack.servicePids().get(0) + "\n");
        System.out.println("SIDE-BY-SIDE-READY");
        stopped.await();
    }
}
