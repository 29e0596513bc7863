package io.envgrid.testsupport.process;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * CPU time as benchmarks report it, so that a figure measured on a shared machine says where the time went: a process's
 * own CPU time, the whole machine's busy time (/proc/stat) and its load average (/proc/loadavg). Where there is no /proc
 * (not Linux) the machine figures are zero or "?" and only the processes' own times are real.
 */
public final class CpuUse {

    private CpuUse() {
    }

    /** CPU time (user + system) process {@code pid} has used so far, in ns; 0 when it is gone or the OS does not say. */
    public static long cpuNanos(long pid) {
        return ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration()).map(Duration::toNanos).orElse(0L);
    }

    /** The calling JVM's own CPU time so far, in ns (the load generator's, in a benchmark). */
    public static long ownCpuNanos() {
        return cpuNanos(ProcessHandle.current().pid());
    }

    /**
     * The whole machine's busy time so far, in ns: /proc/stat's first line, user to softirq (idle, iowait and steal —
     * time the hypervisor gave to other guests — are not this machine's work), in USER_HZ ticks, which Linux fixes at
     * 100 per second for /proc whatever the kernel's own tick; 0 where there is no /proc.
     */
    public static long machineBusyNanos() {
        return machineJiffies()[0] * 10_000_000L;
    }

    /**
     * The whole machine's busy and total time so far, in USER_HZ ticks (/proc/stat's first line: user to softirq are
     * busy; idle and iowait are not; steal counts in neither): {@code {busy, total}}, or {@code {0, 0}} where there is
     * no /proc.
     */
    public static long[] machineJiffies() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length && i <= 7; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }

    /**
     * CPU time (user + system) the threads of process {@code pid} whose name starts with {@code namePrefix} have used
     * so far, in ns, read from each /proc/&lt;pid&gt;/task/&lt;tid&gt;/comm and stat (USER_HZ ticks, 10 ms each); -1
     * where there is no /proc or the process is gone. A thread that ended no longer counts, so the sum can fall between
     * two reads. Thread names are as the kernel keeps them: at most 15 characters (HotSpot's "C2 CompilerThread0"
     * reads "C2 CompilerThre").
     */
    public static long threadsCpuNanos(long pid, String namePrefix) {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            long ticks = 0;
            for (Path task : tasks) {
                ticks += threadTicks(task, namePrefix);
            }
            return ticks * 10_000_000L;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** A thread's utime + stime in ticks if its name starts with {@code namePrefix}, else 0 (also if it just ended). */
    private static long threadTicks(Path task, String namePrefix) {
        try {
            if (!Files.readString(task.resolve("comm")).startsWith(namePrefix)) {
                return 0;
            }
            String stat = Files.readString(task.resolve("stat"));
            // fields after the parenthesised name, which may itself hold spaces: state is field 3, utime 14, stime 15
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException e) {
            return 0;
        }
    }

    /** The machine's 1-, 5- and 15-minute load averages (/proc/loadavg) as "a b c", or "?" without /proc. */
    public static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }
}
