package io.flagledger.testsupport.internal;

/**
 * String state shared by every copy of test-support's classes in one JVM.
 * <p>
 * Quarkus tests may load test resources and test classes through different (and per-restart) class loaders, so a
 * plain static field is not "one per JVM". The values live in system properties under
 * {@code io.flagledger.testsupport.state.*} (Strings only: libraries such as Narayana iterate the system
 * properties and break on anything else); {@link #LOCK} is an interned string literal, hence the same object
 * for every class loader. Internal to test-support: not part of its API.
 */
public final class JvmShared {

    /** Synchronize on this while reading and writing related keys. */
    public static final Object LOCK = "io.flagledger.testsupport.state.lock";

    private static final String PREFIX = "io.flagledger.testsupport.state.";

    private JvmShared() {
    }

    public static String get(String key) {
        return System.getProperty(PREFIX + key);
    }

    public static void put(String key, String value) {
        System.setProperty(PREFIX + key, value);
    }

    public static void remove(String key) {
        System.clearProperty(PREFIX + key);
    }

    /** Removes every key starting with {@code keyPrefix}. */
    public static void removeAll(String keyPrefix) {
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith(PREFIX + keyPrefix)) {
                System.clearProperty(name);
            }
        }
    }

    /** Stores a process as {@code pid@startMillis} (the start time guards against a reused pid). */
    public static void putProcess(String key, ProcessHandle process) {
        put(key, process.pid() + "@" + startMillis(process));
    }

    /** The process stored by {@link #putProcess} if it is still alive. */
    public static java.util.Optional<ProcessHandle> liveProcess(String key) {
        String value = get(key);
        if (value == null || value.indexOf('@') < 0) {
            return java.util.Optional.empty();
        }
        try {
            long pid = Long.parseLong(value.substring(0, value.indexOf('@')));
            long start = Long.parseLong(value.substring(value.indexOf('@') + 1));
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> startMillis(h) == start);
        } catch (NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }

    private static long startMillis(ProcessHandle process) {
        return process.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
    }
}
