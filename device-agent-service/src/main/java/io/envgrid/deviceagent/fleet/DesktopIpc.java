package io.envgrid.deviceagent.fleet;

import io.envgrid.deviceagent.exec.WorkerExec;
import io.envgrid.deviceagent.process.HostProcesses;
import io.envgrid.deviceagent.process.ProcessOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A desktop's System V IPC objects (shared memory segments, semaphore sets, message queues; sysvipc(7)), which outlive
 * the processes that made them. Listed from {@code /proc/sysvipc/{shm,sem,msg}} (proc(5): a header line naming the
 * columns, then one line per object with its id, owner {@code uid} and creator {@code cuid}), removed with
 * {@code ipcrm} run as the desktop's uid, which may remove exactly the objects it owns or created.
 */
final class DesktopIpc {

    /** One kind of object: its {@code /proc/sysvipc} table, the column of its id, and ipcrm's option for it. */
    private record Kind(String table, String idColumn, String option) {
    }

    private static final List<Kind> KINDS = List.of(new Kind("shm", "shmid", "-m"), new Kind("sem", "semid", "-s"),
            new Kind("msg", "msqid", "-q"));
    private static final Path SYSVIPC = Path.of("/proc/sysvipc");

    private final WorkerExec workers;

    DesktopIpc(WorkerExec workers) {
        this.workers = workers;
    }

    /** Removes every System V IPC object the desktop's uid owns or created (nothing without a user switch). */
    void clear() throws ResetFailure {
        if (workers.uid().isEmpty()) {
            return; // every desktop runs as the agent: nothing tells whose an object is
        }
        long uid = workers.uid().get();
        List<String> ipcrm = new ArrayList<>(List.of("ipcrm"));
        for (Kind kind : KINDS) {
            for (String id : owned(kind, uid, false)) {
                ipcrm.add(kind.option());
                ipcrm.add(id);
            }
        }
        if (ipcrm.size() == 1) {
            return;
        }
        ProcessOutcome outcome = HostProcesses.run(workers.housekeeping(ipcrm), null, workers.environment(Map.of()),
                Duration.ofSeconds(10));
        if (outcome.succeeded()) {
            return;
        }
        // ipcrm fails as a whole when one id is gone meanwhile, and another uid can keep making objects and giving them
        // to this uid (IPC_SET) to fail every reset (hostile review): what must be gone is what the uid itself created
        for (Kind kind : KINDS) {
            List<String> left = owned(kind, uid, true);
            if (!left.isEmpty()) {
                throw new ResetFailure("cannot remove the desktop's System V IPC objects (" + kind.table() + " " + left
                        + "): " + outcome.stderr().strip());
            }
        }
    }

    /** The ids of the objects of this kind that {@code uid} created, or ({@code createdOnly} false) owns or created. */
    private static List<String> owned(Kind kind, long uid, boolean createdOnly) throws ResetFailure {
        List<String> lines;
        try {
            lines = Files.readAllLines(SYSVIPC.resolve(kind.table()));
        } catch (IOException e) {
            throw new ResetFailure("cannot list System V IPC objects in " + SYSVIPC.resolve(kind.table()), e);
        }
        if (lines.isEmpty()) {
            return List.of();
        }
        List<String> header = Arrays.asList(lines.get(0).strip().split("\\s+"));
        int id = header.indexOf(kind.idColumn());
        int owner = header.indexOf("uid");
        int creator = header.indexOf("cuid");
        if (id < 0 || owner < 0 || creator < 0) {
            throw new ResetFailure("unexpected columns in " + SYSVIPC.resolve(kind.table()) + ": " + header);
        }
        String wanted = Long.toString(uid);
        List<String> ids = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.strip().split("\\s+");
            if (fields.length > Math.max(id, Math.max(owner, creator))
                    && (fields[creator].equals(wanted) || !createdOnly && fields[owner].equals(wanted))) {
                ids.add(fields[id]);
            }
        }
        return ids;
    }
}
