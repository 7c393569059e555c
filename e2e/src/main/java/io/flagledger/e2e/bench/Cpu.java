package io.flagledger.e2e.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/** A process's CPU time (user + system) from /proc, in clock ticks (USER_HZ, 100 on Linux). */
final class Cpu {

    private Cpu() {
    }

    static long ticks(long pid) throws IOException {
        return ticksOf(Files.readString(Path.of("/proc/" + pid + "/stat")));
    }

    /**
     * The process's CPU ticks per kind of thread (its name without digits: "vert.x-eventloop-thread-", "C2 CompilerThread",
     * "executor-thread-"), so a run can say where the time went, JIT compilation and GC included (which a Java sampling
     * profiler does not see). Threads that ended meanwhile are missing: compare two readings for a lower bound.
     */
    static Map<String, Long> ticksByThread(long pid) throws IOException {
        Map<String, Long> byName = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException ended) {
                    continue;
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "#");
                byName.merge(name, ticksOf(stat), Long::sum);
            }
        }
        return byName;
    }

    private static long ticksOf(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    static double millis(long ticks) {
        return ticks * 10.0;
    }
}
