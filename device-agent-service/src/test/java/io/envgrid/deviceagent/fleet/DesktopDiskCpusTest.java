package io.envgrid.deviceagent.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The CPUs a desktop's mount namespace is made on again when the kernel refuses to bind its file (a namespace id
 * smaller than the agent's own, from another CPU's batch): read from the kernel's CPU list of this process.
 */
class DesktopDiskCpusTest {

    @Test
    void aKernelCpuListGivesEveryCpuOfItsRangesInOrder() {
        assertEquals(List.of(0, 1, 2, 3, 8, 10, 11), DesktopDisk.cpuList("0-3,8,10-11\n"));
        assertEquals(List.of(5), DesktopDisk.cpuList(" 5"));
    }

    @Test
    void thisProcessMayRunOnTheCpusItIsGiven() {
        List<Integer> cpus = DesktopDisk.allowedCpus();
        assertFalse(cpus.isEmpty());
        assertTrue(cpus.size() >= Runtime.getRuntime().availableProcessors(), cpus + " for "
                + Runtime.getRuntime().availableProcessors() + " processors");
    }
}
