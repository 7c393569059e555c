package io.flagledger.verifier;

import io.flagledger.contract.note.NoteVerifierKey;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code java -jar audit-verifier.jar <bundle.zip> <checkpoint key>...}: a key is a C2SP verifier key
 * ({@code name+hash+base64}, as GET /api/v1/audit/keys lists it) or a file holding one per line. Exit status 0
 * when the bundle verifies, 1 when it does not (each problem on its own line), 2 when it cannot be checked at all.
 */
public final class Main {

    static final int MAX_LISTED = 1000;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length < 2) {
            err.println("usage: verify-export.sh <bundle.zip> <checkpoint verifier key or key file>...");
            return 2;
        }
        List<NoteVerifierKey> keys = new ArrayList<>();
        try {
            for (int i = 1; i < args.length; i++) {
                for (String k : keyArgument(args[i])) {
                    keys.add(NoteVerifierKey.parse(k));
                }
            }
        } catch (IllegalArgumentException | IOException e) {
            err.println("cannot read the checkpoint key: " + e.getMessage());
            return 2;
        }
        Path bundle = Path.of(args[0]);
        if (!Files.isRegularFile(bundle)) {
            err.println("no such bundle: " + bundle);
            return 2;
        }
        long started = System.nanoTime();
        Report report;
        try {
            report = new BundleVerifier(keys).verify(bundle);
        } catch (IOException e) {
            err.println("cannot read " + bundle + ": " + e.getMessage());
            return 2;
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        if (report.verified()) {
            out.printf("VERIFIED in %.1f s: %s%n", seconds, report.summary());
            return 0;
        }
        int listed = 0;
        for (Problem p : report.problems()) {
            if (listed++ == MAX_LISTED) {
                out.println("... and " + (report.problems().size() - MAX_LISTED) + " more problems");
                break;
            }
            out.println("FAILED " + p);
        }
        out.printf("NOT VERIFIED (%d problem%s, %d entries read, %.1f s)%n", report.problems().size(),
                report.problems().size() == 1 ? "" : "s", report.entries(), seconds);
        return 1;
    }

    private static List<String> keyArgument(String arg) throws IOException {
        Path file = Path.of(arg);
        if (!arg.contains("+") && Files.isRegularFile(file)) {
            return Files.readAllLines(file).stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
        }
        return List.of(arg.strip());
    }
}
