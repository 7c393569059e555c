package io.flagledger.e2e.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/** A process's CPU time (user + system) from /proc, in clock ticks (USER_HZ, 100 on Linux). */
final class Cpu {

    private Cpu() {
    }

    static long ticks(long pid) throws java.io.IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    static double millis(long ticks) {
        return ticks * 10.0;
    }
}
