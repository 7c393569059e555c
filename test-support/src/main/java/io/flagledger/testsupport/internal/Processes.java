package io.flagledger.testsupport.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;

/**
 * Small helpers shared by the launchers. Internal to test-support: not part of its API.
 */
public final class Processes {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Processes() {
    }

    /**
     * Where {@link #freePort()} looks: below the kernel's ephemeral range. A port taken from that range can be handed
     * to an outgoing connection (Kafka clients, JDBC, HTTP) as its local port between our probe and the server's
     * bind, which made a test fail with "Address already in use"; ports below it are only ever taken by a bind.
     */
    private static final int[] PROBE_RANGE = probeRange();

    private static int[] probeRange() {
        int ephemeralLow = 32768;
        try {
            ephemeralLow = Integer.parseInt(Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            // not Linux: assume the common default
        }
        return ephemeralLow - 10_000 >= 1_000 ? new int[] {10_000, ephemeralLow} : null;
    }

    /** A port that was free on 127.0.0.1 a moment ago, outside the ephemeral range where the system has room. */
    public static int freePort() {
        return freePorts(1)[0];
    }

    /** {@code count} distinct ports that were free a moment ago (see {@link #freePort()}). */
    public static int[] freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket s = bindSomewhere();
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        } finally {
            for (ServerSocket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }

    private static ServerSocket bindSomewhere() throws IOException {
        if (PROBE_RANGE != null) {
            for (int attempt = 0; attempt < 200; attempt++) {
                int port = PROBE_RANGE[0] + RANDOM.nextInt(PROBE_RANGE[1] - PROBE_RANGE[0]);
                ServerSocket s = new ServerSocket();
                try {
                    s.setReuseAddress(false);
                    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
                    return s;
                } catch (IOException taken) {
                    s.close();
                }
            }
        }
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(false);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
        return s;
    }

    public static boolean canConnect(String host, int port, int timeoutMillis) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), timeoutMillis);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Random URL-safe secret (no padding), {@code bytes} bytes of entropy. */
    public static String randomSecret(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Lower-case hex suffix for names. */
    public static String randomSuffix(int chars) {
        StringBuilder sb = new StringBuilder(chars);
        for (int i = 0; i < chars; i++) {
            sb.append(Character.forDigit(RANDOM.nextInt(36), 36));
        }
        return sb.toString();
    }

    /** The last {@code lines} lines of a (possibly missing) text file, for error messages. */
    public static String tail(Path file, int lines) {
        if (file == null || !Files.isRegularFile(file)) {
            return "(no log file " + file + ")";
        }
        try (Stream<String> s = Files.lines(file, StandardCharsets.UTF_8)) {
            Deque<String> last = new ArrayDeque<>(lines);
            s.forEach(l -> {
                if (last.size() == lines) {
                    last.removeFirst();
                }
                last.addLast(l);
            });
            return "---- last " + last.size() + " lines of " + file + " ----\n" + String.join("\n", last)
                    + "\n---- end of " + file + " ----";
        } catch (IOException | UncheckedIOException e) {
            return "(could not read " + file + ": " + e + ")";
        }
    }

    public static boolean fileContains(Path file, String needle) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (Stream<String> s = Files.lines(file, StandardCharsets.UTF_8)) {
            return s.anyMatch(l -> l.contains(needle));
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
    }

    /**
     * Stops a process tree started by a launcher, bounded. With the {@link Process} object (the copy of the
     * launcher that started it) its stdin is closed, which the launchers' children take as "stop"; with only a
     * handle (started through another class loader) it gets SIGTERM. After {@code grace}: SIGTERM, then SIGKILL,
     * for the process and every descendant that existed when this method was called.
     */
    public static void stopTree(ProcessHandle root, Process owned, Duration grace) {
        if (root == null) {
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>();
        root.descendants().forEach(tree::add);
        tree.add(root);
        if (owned != null) {
            closeQuietly(owned.getOutputStream());
        } else {
            root.destroy();
        }
        if (!waitAll(tree, grace)) {
            tree.forEach(ProcessHandle::destroy);
            if (!waitAll(tree, Duration.ofSeconds(5))) {
                tree.forEach(ProcessHandle::destroyForcibly);
                waitAll(tree, Duration.ofSeconds(5));
            }
        }
    }

    /** Immediate SIGKILL of a process tree (shutdown hooks, failed starts). */
    public static void killTree(Process process) {
        if (process == null) {
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>();
        process.descendants().forEach(tree::add);
        tree.add(process.toHandle());
        closeQuietly(process.getOutputStream());
        tree.forEach(ProcessHandle::destroyForcibly);
        waitAll(tree, Duration.ofSeconds(5));
    }

    private static boolean waitAll(List<ProcessHandle> handles, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ProcessHandle h : handles) {
            while (h.isAlive()) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                sleep(50);
            }
        }
        return true;
    }

    /** Resident set size of a process (and its descendants) in MiB from /proc, or -1 if unknown. */
    public static long rssMiB(ProcessHandle root) {
        List<ProcessHandle> all = new ArrayList<>();
        all.add(root);
        root.descendants().forEach(all::add);
        long kb = 0;
        boolean any = false;
        for (ProcessHandle h : all) {
            Path status = Path.of("/proc", Long.toString(h.pid()), "status");
            try {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("VmRSS:")) {
                        kb += Long.parseLong(line.replaceAll("[^0-9]", ""));
                        any = true;
                    }
                }
            } catch (IOException | RuntimeException e) {
                // not Linux or process gone
            }
        }
        return any ? kb / 1024 : -1;
    }

    public static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    public static void closeQuietly(OutputStream out) {
        try {
            out.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
