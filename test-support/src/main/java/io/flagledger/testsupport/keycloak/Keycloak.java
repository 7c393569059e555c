package io.flagledger.testsupport.keycloak;

import io.flagledger.testsupport.internal.Processes;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A Keycloak server from the {@code keycloak-quarkus-dist} zip, started in dev mode ({@code start-dev},
 * in-memory H2) on 127.0.0.1 with the {@code flagledger} realm imported.
 * <p>
 * The dist is unzipped once into {@code <cacheDir>/keycloak-<version>} (the first start also runs Keycloak's
 * build/augmentation, about 20 s). The realm file ({@code keycloak/flagledger-realm.json} on the classpath) has
 * {@code ${FLAGLEDGER_...}} placeholders for every password and client secret; Keycloak resolves them from its
 * environment, which is {@code realmEnv}. See {@link #realmPlaceholders()}.
 * <p>
 * The server runs under a small watchdog script that stops it when the pipe to this JVM closes, so it dies with the
 * JVM even when the JVM is killed; {@link #close()} and a shutdown hook stop it as well.
 */
public final class Keycloak implements AutoCloseable {

    public static final String REALM = "flagledger";
    static final String REALM_RESOURCE = "keycloak/flagledger-realm.json";
    static final String WATCHDOG_RESOURCE = "META-INF/flagledger/keycloak-watchdog.sh";
    static final String PROPERTIES_RESOURCE = "META-INF/flagledger/test-support.properties";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_.]+)(:[^}]*)?}");
    private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern JAVA_VERSION = Pattern.compile("^JAVA_VERSION=\"?(\\d+)", Pattern.MULTILINE);

    private final ProcessHandle handle;
    private final Process process; // null in a handle attached from another class loader's copy
    private final String baseUrl;
    private final Path logFile;
    private final String adminUsername;
    private final String adminPassword;
    private volatile Duration startupTime;
    private final HttpClient http;
    private volatile Thread shutdownHook;
    private volatile boolean closed;

    private Keycloak(ProcessHandle handle, Process process, String baseUrl, Path logFile, String adminUsername,
            String adminPassword, Duration startupTime) {
        this.handle = handle;
        this.process = process;
        if (process != null) {
            // Registers the Process with the JDK's process reaper, which keeps it (and so the stdin pipe the
            // watchdog watches) strongly reachable until it exits, whatever happens to this class loader.
            process.onExit();
        }
        this.baseUrl = baseUrl;
        this.logFile = logFile;
        this.adminUsername = adminUsername;
        this.adminPassword = adminPassword;
        this.startupTime = startupTime;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3))
                .version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * Starts Keycloak on a free port and waits (bounded) until the flagledger realm's OpenID configuration answers.
     *
     * @param cacheDir where the dist is unzipped and logs are written; {@code null} = {@code $FLAGLEDGER_CACHE} or
     *                 {@code ~/.cache/flagledger}
     * @param realmEnv values for the realm file's placeholders (see {@link #realmPlaceholders()}), usually
     *                 {@link DemoRealm#generate()}{@code .environment()}; all of them must be given here or be set
     *                 in this JVM's environment
     * @throws IllegalStateException on time-out or early exit, with the tail of Keycloak's log
     */
    public static Keycloak start(Path cacheDir, Duration timeout, Map<String, String> realmEnv) {
        return start(cacheDir, timeout, realmEnv, 0);
    }

    /** Like {@link #start(Path, Duration, Map)} on a fixed HTTP port ({@code 0} = a free one), for the local stack. */
    public static Keycloak start(Path cacheDir, Duration timeout, Map<String, String> realmEnv, int port) {
        long begin = System.nanoTime();
        long deadline = begin + timeout.toNanos();
        Path cache = (cacheDir != null ? cacheDir : defaultCacheDir()).toAbsolutePath().normalize();
        Properties build = buildProperties();
        String version = build.getProperty("keycloak.version");
        String realm = realmJson();
        Map<String, String> env = new TreeMap<>();
        List<String> missing = new ArrayList<>();
        for (String name : realmPlaceholders()) {
            String v = realmEnv.containsKey(name) ? realmEnv.get(name) : System.getenv(name);
            if (v == null || v.isEmpty()) {
                missing.add(name);
            } else {
                env.put(name, v);
            }
        }
        realmEnv.forEach(env::putIfAbsent);
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("values missing for the realm placeholders " + missing);
        }
        Path javaHome = findJava21();
        try {
            Files.createDirectories(cache);
            Path home = cache.resolve("keycloak-" + version);
            try (FileChannel lockChannel = FileChannel.open(cache.resolve("keycloak-" + version + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = lock(lockChannel, deadline)) {
                unzipOnce(distZip(build, version), home);
                writeIfChanged(home.resolve("data/import/" + REALM + "-realm.json"), realm, false);
                Path watchdog = home.resolve("bin/flagledger-watchdog.sh");
                writeIfChanged(watchdog, resourceText(WATCHDOG_RESOURCE), true);
                Path built = home.resolve(".flagledger-built");
                // The lock is held until this server has imported the realm: the import directory is shared by every
                // checkout on the machine, and another one's realm file must not be written in between.
                Keycloak kc = launch(home, watchdog, cache, javaHome, env, port, begin, deadline);
                if (!Files.exists(built)) {
                    Files.writeString(built, "built by test-support at " + LocalDateTime.now() + "\n");
                }
                return kc;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare Keycloak in " + cache, e);
        }
    }

    /** {@code http://127.0.0.1:<port>/realms/flagledger}. */
    public String issuerUrl() {
        return baseUrl + "/realms/" + REALM;
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String baseUrl() {
        return baseUrl;
    }

    /**
     * Access token by the direct (resource owner password) grant.
     *
     * @param clientSecret {@code null} for a public client such as {@code flagledger-cli}
     * @throws IllegalStateException if Keycloak refuses (message includes its error, e.g. {@code invalid_grant})
     */
    public String passwordToken(String clientId, String clientSecret, String username, String password) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "password");
        form.put("client_id", clientId);
        if (clientSecret != null) {
            form.put("client_secret", clientSecret);
        }
        form.put("username", username);
        form.put("password", password);
        return token(form);
    }

    /**
     * A genuine token of the user, signed by Keycloak, that has already expired: issued by the realm's test client
     * {@code flagledger-short-lived}, whose tokens live one second, and returned once that second (and one more for
     * clock rounding) has passed.
     */
    public String expiredPasswordToken(String username, String password) {
        String token = passwordToken("flagledger-short-lived", null, username, password);
        try {
            Thread.sleep(2_100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return token;
    }

    /** Access token by the client credentials grant (service accounts). */
    public String clientCredentialsToken(String clientId, String clientSecret) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "client_credentials");
        form.put("client_id", clientId);
        form.put("client_secret", clientSecret);
        return token(form);
    }

    /** Stops Keycloak (closes the watchdog's stdin, waits up to ~15 s, then kills the process tree). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Thread hook = shutdownHook;
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook is running or has run
            }
        }
        Processes.stopTree(handle, process, Duration.ofSeconds(15));
    }

    /** How long {@link #start} took. */
    public Duration startupTime() {
        return startupTime;
    }

    /** Keycloak's console output. */
    public Path logFile() {
        return logFile;
    }

    /** Temporary admin of the master realm (random password per start). */
    public String adminUsername() {
        return adminUsername;
    }

    public String adminPassword() {
        return adminPassword;
    }

    /** The names of the placeholders ({@code ${NAME}}) in the realm file, which {@code realmEnv} must provide. */
    public static Set<String> realmPlaceholders() {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = PLACEHOLDER.matcher(realmJson());
        while (m.find()) {
            if (m.group(2) == null) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /**
     * {@code java -cp <test-support classpath> io.flagledger.testsupport.keycloak.Keycloak [--cache-dir DIR]
     * [--port N] [--timeout-seconds N] [--ignore-stdin]}: starts Keycloak for the local stack and runs until
     * killed or until stdin reaches EOF. Placeholder values are taken from the environment; missing ones are
     * generated and printed ({@code NAME=value}), as are {@code KEYCLOAK_ISSUER} and the admin credentials.
     */
    public static void main(String[] args) throws Exception {
        Path cacheDir = null;
        int port = 0;
        long timeoutSeconds = 300;
        boolean watchStdin = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--cache-dir" -> cacheDir = Path.of(args[++i]);
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--timeout-seconds" -> timeoutSeconds = Long.parseLong(args[++i]);
                case "--ignore-stdin" -> watchStdin = false;
                default -> {
                    System.err.println("usage: Keycloak [--cache-dir DIR] [--port N] [--timeout-seconds N] [--ignore-stdin]");
                    System.exit(2);
                }
            }
        }
        Map<String, String> realmEnv = new LinkedHashMap<>(DemoRealm.generate().environment());
        for (String name : realmPlaceholders()) {
            String v = System.getenv(name);
            if (v == null || v.isEmpty()) {
                System.out.println(name + "=" + realmEnv.get(name)); // generated: the caller needs to know it
            } else {
                realmEnv.put(name, v);
            }
        }
        Keycloak kc = start(cacheDir, Duration.ofSeconds(timeoutSeconds), realmEnv, port);
        System.out.println("KEYCLOAK_ISSUER=" + kc.issuerUrl());
        System.out.println("KEYCLOAK_BASE_URL=" + kc.baseUrl());
        System.out.println("KEYCLOAK_ADMIN_USERNAME=" + kc.adminUsername());
        System.out.println("KEYCLOAK_ADMIN_PASSWORD=" + kc.adminPassword());
        System.out.println("Keycloak started in " + kc.startupTime().toMillis() + " ms; log: " + kc.logFile());
        System.out.flush();
        if (watchStdin) {
            InputStream in = System.in;
            byte[] buf = new byte[256];
            while (in.read(buf) >= 0 && kc.process.isAlive()) {
                // wait for EOF
            }
        } else {
            kc.process.waitFor();
        }
        System.exit(kc.process.isAlive() ? 0 : 1); // runs the shutdown hook, which stops Keycloak
    }

    // ------------------------------------------------------------------------------------------------------------

    /** The watchdog process (Keycloak's JVM is among its descendants). */
    ProcessHandle processHandle() {
        return handle;
    }

    /** A handle on a Keycloak started by another copy of this class (another class loader) in this JVM. */
    static Keycloak attach(ProcessHandle handle, String baseUrl, Path logFile, String adminUsername,
            String adminPassword, Duration startupTime) {
        return new Keycloak(handle, null, baseUrl, logFile, adminUsername, adminPassword, startupTime);
    }

    private static Keycloak launch(Path home, Path watchdog, Path cache, Path javaHome, Map<String, String> realmEnv,
            int fixedPort, long begin, long deadline) throws IOException {
        int[] ports = Processes.freePorts(2);
        int port = fixedPort > 0 ? fixedPort : ports[0];
        int managementPort = ports[1];
        String baseUrl = "http://127.0.0.1:" + port;
        Path logDir = cache.resolve("logs");
        Files.createDirectories(logDir);
        pruneLogs(logDir, 10);
        Path log = logDir.resolve("keycloak-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                + "-" + port + ".log");
        List<String> cmd = List.of("bash", watchdog.toString(), home.resolve("bin/kc.sh").toString(), "start-dev",
                "--http-host=127.0.0.1",
                "--http-port=" + port,
                "--http-management-port=" + managementPort,
                "--hostname=" + baseUrl,
                "--db=dev-mem",
                "--import-realm");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("KC_") || k.startsWith("KEYCLOAK_") || k.startsWith("QUARKUS_")
                || k.startsWith("JAVA_OPTS") || k.equals("JAVA_TOOL_OPTIONS") || k.equals("JDK_JAVA_OPTIONS")
                || k.equals("_JAVA_OPTIONS") || k.equals("JAVA") || k.equals("JAVA_ADD_OPENS"));
        String adminUser = "admin";
        String adminPassword = Processes.randomSecret(18);
        env.put("JAVA_HOME", javaHome.toString());
        env.put("KC_BOOTSTRAP_ADMIN_USERNAME", adminUser);
        env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", adminPassword);
        // kc.sh's defaults minus G1 and the 70%-of-RAM heap: Serial GC, C1 only and a 512 MB heap start about
        // as fast or faster on a 2-core machine and use ~130 MB less RSS. The add-opens is what jboss-threads
        // needs on Java 24+ (else errors at shutdown); harmless on 21. kc.sh still appends its own add-opens.
        env.put("JAVA_OPTS", String.join(" ",
                "-XX:MetaspaceSize=96M", "-XX:MaxMetaspaceSize=256m",
                "-Dfile.encoding=UTF-8", "-Dsun.stdout.encoding=UTF-8", "-Dsun.err.encoding=UTF-8",
                "-Dstdout.encoding=UTF-8", "-Dstderr.encoding=UTF-8",
                "-XX:+ExitOnOutOfMemoryError", "-Djava.security.egd=file:/dev/urandom",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xms64m", "-Xmx512m",
                "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
                "--add-opens=java.base/java.lang=ALL-UNNAMED"));
        env.putAll(realmEnv);
        Process p = pb.start(); // stdin stays a pipe: the watchdog stops Keycloak when it is closed
        Keycloak kc = new Keycloak(p.toHandle(), p, baseUrl, log, adminUser, adminPassword, null);
        Thread hook = new Thread(() -> {
            // JDK types only: the class loader that loaded this class may be closed by now
            List<ProcessHandle> tree = new ArrayList<>();
            p.descendants().forEach(tree::add);
            tree.add(p.toHandle());
            try {
                p.getOutputStream().close();
            } catch (IOException ignored) {
                // already closed
            }
            long until = System.nanoTime() + 10_000_000_000L;
            while (tree.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < until) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    break;
                }
            }
            tree.forEach(ProcessHandle::destroyForcibly);
        }, "flagledger-keycloak-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        kc.shutdownHook = hook;
        try {
            kc.awaitReady(deadline);
        } catch (RuntimeException | Error e) {
            kc.close();
            throw e;
        }
        kc.startupTime = Duration.ofNanos(System.nanoTime() - begin);
        return kc;
    }

    private void awaitReady(long deadline) {
        URI wellKnown = URI.create(issuerUrl() + "/.well-known/openid-configuration");
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Keycloak exited with code " + process.exitValue()
                        + " before it was ready\n" + Processes.tail(logFile, 50));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(wellKnown).timeout(Duration.ofSeconds(3))
                        .GET().build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Keycloak", e);
            }
            Processes.sleep(250);
        }
        throw new IllegalStateException("Keycloak did not answer " + wellKnown + " in time\n"
                + Processes.tail(logFile, 50));
    }

    private String token(Map<String, String> form) {
        StringJoiner body = new StringJoiner("&");
        form.forEach((k, v) -> body.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        URI uri = URI.create(issuerUrl() + "/protocol/openid-connect/token");
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
            Matcher m = ACCESS_TOKEN.matcher(r.body());
            if (r.statusCode() != 200 || !m.find()) {
                throw new IllegalStateException("token request (" + form.get("grant_type") + ", client "
                        + form.get("client_id") + ") refused: HTTP " + r.statusCode() + " " + r.body());
            }
            return m.group(1);
        } catch (IOException e) {
            throw new UncheckedIOException("token request to " + uri + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    // ---- files ------------------------------------------------------------------------------------------------

    /** {@code $FLAGLEDGER_CACHE}, else {@code ~/.cache/flagledger}. */
    public static Path defaultCacheDir() {
        String env = System.getenv("FLAGLEDGER_CACHE");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "flagledger");
    }

    private static Properties buildProperties() {
        Properties p = new Properties();
        try (InputStream in = Keycloak.class.getClassLoader().getResourceAsStream(PROPERTIES_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(PROPERTIES_RESOURCE + " not found on the classpath");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    private static Path distZip(Properties build, String version) {
        List<String> candidates = new ArrayList<>();
        Optional.ofNullable(System.getProperty("flagledger.keycloak.dist.zip")).ifPresent(candidates::add);
        Optional.ofNullable(System.getenv("FLAGLEDGER_KEYCLOAK_DIST_ZIP")).ifPresent(candidates::add);
        Optional.ofNullable(build.getProperty("keycloak.dist.zip")).ifPresent(candidates::add);
        candidates.add(Path.of(System.getProperty("user.home"), ".m2", "repository", "org", "keycloak",
                "keycloak-quarkus-dist", version, "keycloak-quarkus-dist-" + version + ".zip").toString());
        for (String c : candidates) {
            if (!c.contains("${") && Files.isRegularFile(Path.of(c))) {
                return Path.of(c);
            }
        }
        throw new IllegalStateException("Keycloak dist zip not found (tried " + candidates + "); build test-support "
                + "with Maven (it downloads org.keycloak:keycloak-quarkus-dist:" + version + ":zip) or set "
                + "FLAGLEDGER_KEYCLOAK_DIST_ZIP");
    }

    private static void unzipOnce(Path zip, Path home) throws IOException {
        Path marker = home.resolve(".flagledger-unzipped");
        if (Files.exists(marker)) {
            return;
        }
        long begin = System.nanoTime();
        Processes.deleteRecursively(home);
        Path tmp = home.resolveSibling(home.getFileName() + ".tmp-" + Processes.randomSuffix(6));
        try (ZipFile zf = new ZipFile(zip.toFile())) {
            Enumeration<? extends ZipEntry> entries = zf.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                String name = e.getName();
                int slash = name.indexOf('/');
                if (slash < 0 || slash == name.length() - 1) {
                    continue; // the top-level folder itself
                }
                Path target = tmp.resolve(name.substring(slash + 1)).normalize();
                if (!target.startsWith(tmp)) {
                    throw new IOException("zip entry outside the target directory: " + name);
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    try (InputStream in = zf.getInputStream(e)) {
                        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                    if (name.endsWith(".sh")) {
                        makeExecutable(target);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            Processes.deleteRecursively(tmp);
            throw e;
        }
        Files.move(tmp, home, StandardCopyOption.ATOMIC_MOVE);
        Files.writeString(marker, "unzipped from " + zip + "\n");
        System.out.println("[flagledger] unzipped " + zip.getFileName() + " into " + home + " in "
                + (System.nanoTime() - begin) / 1_000_000 + " ms");
    }

    private static void writeIfChanged(Path file, String content, boolean executable) throws IOException {
        if (!Files.isRegularFile(file) || !Files.readString(file, StandardCharsets.UTF_8).equals(content)) {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp-" + Processes.randomSuffix(6));
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            if (executable) {
                makeExecutable(tmp);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void makeExecutable(Path file) {
        try {
            Set<PosixFilePermission> perms = EnumSet.copyOf(Files.getPosixFilePermissions(file));
            perms.add(PosixFilePermission.OWNER_EXECUTE);
            perms.add(PosixFilePermission.GROUP_EXECUTE);
            perms.add(PosixFilePermission.OTHERS_EXECUTE);
            Files.setPosixFilePermissions(file, perms);
        } catch (IOException | UnsupportedOperationException e) {
            file.toFile().setExecutable(true, false);
        }
    }

    private static void pruneLogs(Path logDir, int keep) {
        try (Stream<Path> s = Files.list(logDir)) {
            List<Path> logs = s.filter(f -> f.getFileName().toString().startsWith("keycloak-"))
                    .sorted(Comparator.comparing((Path f) -> f.getFileName().toString()).reversed()).toList();
            for (int i = keep; i < logs.size(); i++) {
                Files.deleteIfExists(logs.get(i));
            }
        } catch (IOException ignored) {
            // best effort
        }
    }

    private static FileLock lock(FileChannel channel, long deadline) throws IOException {
        while (true) {
            try {
                FileLock lock = channel.tryLock();
                if (lock != null) {
                    return lock;
                }
            } catch (OverlappingFileLockException e) {
                // held by another thread of this JVM
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for the Keycloak install lock (another build "
                        + "is unzipping or building Keycloak)");
            }
            Processes.sleep(200);
        }
    }

    static String realmJson() {
        return resourceText(REALM_RESOURCE);
    }

    private static String resourceText(String resource) {
        try (InputStream in = Keycloak.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " not found on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- Java -------------------------------------------------------------------------------------------------

    /**
     * A Java 21+ home for Keycloak: {@code FLAGLEDGER_KEYCLOAK_JAVA_HOME}, else this JVM's {@code java.home} or
     * {@code JAVA_HOME} if 21+, else the newest 21+ JDK under /usr/lib/jvm (or /usr/local/lib/jvm, /opt/java).
     */
    static Path findJava21() {
        List<Path> preferred = new ArrayList<>();
        Optional.ofNullable(System.getenv("FLAGLEDGER_KEYCLOAK_JAVA_HOME")).map(Path::of).ifPresent(preferred::add);
        preferred.add(Path.of(System.getProperty("java.home")));
        Optional.ofNullable(System.getenv("JAVA_HOME")).filter(s -> !s.isBlank()).map(Path::of).ifPresent(preferred::add);
        for (Path p : preferred) {
            if (javaMajor(p) >= 21) {
                return p;
            }
        }
        Path best = null;
        int bestVersion = 0;
        for (String root : new String[] {"/usr/lib/jvm", "/usr/local/lib/jvm", "/opt/java"}) {
            Path dir = Path.of(root);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    int v = javaMajor(p);
                    if (v >= 21 && v > bestVersion) {
                        best = p;
                        bestVersion = v;
                    }
                }
            } catch (IOException ignored) {
                // unreadable: skip
            }
        }
        if (best == null) {
            throw new IllegalStateException("Keycloak needs Java 21 or newer, but java.home, JAVA_HOME and "
                    + "/usr/lib/jvm have none; install one (e.g. apt-get install openjdk-21-jdk-headless) or set "
                    + "FLAGLEDGER_KEYCLOAK_JAVA_HOME");
        }
        return best;
    }

    private static int javaMajor(Path home) {
        try {
            if (!Files.isExecutable(home.resolve("bin/java"))) {
                return 0;
            }
            Path release = home.resolve("release");
            if (!Files.isRegularFile(release)) {
                return 0;
            }
            Matcher m = JAVA_VERSION.matcher(Files.readString(release));
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
