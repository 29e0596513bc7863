package io.envgrid.gateway.bench;

import com.sun.management.ThreadMXBean;
import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Bytes a JVM on this machine has allocated on the heap so far, summed over its live threads
 * ({@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}), read over JMX from its local management agent
 * (started through the Attach API, so the JVM needs no option of its own). Chosen over Micrometer's
 * {@code jvm_gc_memory_allocated_bytes_total}, which only moves at a young collection (a window of a few seconds would
 * be off by up to a whole eden), and over JFR's periodic {@code jdk.ThreadAllocationStatistics} (a recording per JVM,
 * read afterwards): the per-thread counters are exact at any moment and do not depend on the load. A thread that ends
 * between two readings takes its count with it; the threads serving calls (event loops, the worker pool) live as long
 * as the JVM, and the JMX reading's own allocation (a few kB) is nothing against a window's calls.
 */
final class AllocatedBytes implements AutoCloseable {

    private final JMXConnector connector;
    private final ThreadMXBean threads;

    private AllocatedBytes(JMXConnector connector, ThreadMXBean threads) {
        this.connector = connector;
        this.threads = threads;
    }

    /** Connects to JVM {@code pid}'s local management agent, starting it if it is not running. */
    static AllocatedBytes of(long pid) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
        String address;
        try {
            address = vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
        JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address));
        MBeanServerConnection connection = connector.getMBeanServerConnection();
        return new AllocatedBytes(connector, ManagementFactory.newPlatformMXBeanProxy(connection,
                ManagementFactory.THREAD_MXBEAN_NAME, ThreadMXBean.class));
    }

    /** Heap bytes each live thread of the JVM has allocated so far, by thread id; empty if it cannot tell. */
    Map<Long, Long> sofar() {
        Map<Long, Long> bytes = new HashMap<>();
        try {
            long[] ids = threads.getAllThreadIds();
            long[] allocated = threads.getThreadAllocatedBytes(ids);
            for (int i = 0; i < ids.length; i++) {
                // -1 for a thread that ended since the ids were read
                if (allocated[i] >= 0) {
                    bytes.put(ids[i], allocated[i]);
                }
            }
        } catch (RuntimeException e) {
            bytes.clear();
        }
        return bytes;
    }

    /**
     * Bytes allocated between two {@link #sofar} readings: each thread's growth, a thread started in between counted
     * whole; -1 if either reading failed.
     */
    static long between(Map<Long, Long> before, Map<Long, Long> after) {
        if (before.isEmpty() || after.isEmpty()) {
            return -1;
        }
        return after.entrySet().stream().mapToLong(e -> e.getValue() - before.getOrDefault(e.getKey(), 0L)).sum();
    }

    @Override
    public void close() throws IOException {
        connector.close();
    }
}
