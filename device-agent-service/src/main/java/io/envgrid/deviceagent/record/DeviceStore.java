package io.envgrid.deviceagent.record;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.envgrid.deviceagent.access.Ids;
import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.error.ApiException;
import io.envgrid.deviceagent.error.ErrorCode;
import io.envgrid.deviceagent.fleet.LinkSafeTree;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.Optional;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The device records on disk under {@code devices/{type}/{id}/}. Every change of one device runs under that
 * device's lock and is written atomically, so concurrent borrows see each other and a crash leaves either the
 * old or the new {@code device.json}.
 */
@ApplicationScoped
public class DeviceStore {

    private static final Logger LOG = Logger.getLogger(DeviceStore.class);
    private static final String RECORD_FILE = "device.json";

    private final Path devicesRoot;
    private final ObjectMapper json;
    /** Device id to type: tools name a device by id alone, its directory also needs the type. */
    private final Map<String, String> typeById = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    public DeviceStore(DeviceAgentConfig config, ObjectMapper json) {
        this.devicesRoot = config.dataDir().resolve("devices").toAbsolutePath().normalize();
        this.json = json.copy().enable(SerializationFeature.INDENT_OUTPUT);
        reload();
    }

    /** Re-reads which devices exist from disk (start-up and {@code system.restart}). */
    public final void reload() {
        typeById.clear();
        try {
            Files.createDirectories(devicesRoot);
            try (Stream<Path> records = Files.find(devicesRoot, 3,
                    (path, attributes) -> path.getFileName().toString().equals(RECORD_FILE))) {
                records.forEach(this::index);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read device records under " + devicesRoot, e);
        }
    }

    /** A record found on disk, by its directory names; one whose names no id or type could have made is skipped. */
    private void index(Path recordFile) {
        Path deviceDir = recordFile.getParent();
        Optional<String> id = PathSegments.decode(deviceDir.getFileName().toString()).filter(Ids::isValidId);
        Optional<String> type = PathSegments.decode(deviceDir.getParent().getFileName().toString());
        if (id.isEmpty() || type.isEmpty()) {
            LOG.warnf("skipping %s: its directory names are not those of a device id and type", deviceDir);
            return;
        }
        typeById.put(id.get(), type.get());
    }

    /** The id rule of docs/isolation.md; {@code 400 INVALID_ID} outside it. */
    public static String requireValidId(String deviceId) {
        return Ids.requireId("device_id", deviceId);
    }

    public boolean exists(String deviceId) {
        return typeById.containsKey(deviceId);
    }

    public DeviceRecord get(String deviceId) {
        String type = typeById.get(requireValidId(deviceId));
        if (type == null) {
            throw ApiException.deviceNotFound(deviceId);
        }
        return read(recordFile(type, deviceId), deviceId);
    }

    public List<DeviceRecord> all() {
        return typeById.keySet().stream().sorted().map(this::getIfPresent).filter(r -> r != null).toList();
    }

    public void create(DeviceRecord record) {
        requireValidId(record.deviceId());
        Ids.requireDeviceType(record.type());
        synchronized (lockOf(record.deviceId())) {
            String existing = typeById.putIfAbsent(record.deviceId(), record.type());
            if (existing != null) {
                throw ApiException.conflict(ErrorCode.DEVICE_ALREADY_EXISTS,
                        "device '" + record.deviceId() + "' already exists", record.deviceId());
            }
            try {
                Path dir = deviceDirectory(record.type(), record.deviceId());
                Files.createDirectories(dir.resolve("logs"));
                Files.createDirectories(dir.resolve("files"));
                write(record);
            } catch (IOException e) {
                typeById.remove(record.deviceId());
                throw new UncheckedIOException("cannot create the directories of " + record.deviceId(), e);
            } catch (RuntimeException e) {
                typeById.remove(record.deviceId());
                throw e;
            }
        }
    }

    /** Reads, changes and writes one record under its lock; the change may throw to refuse. */
    public DeviceRecord update(String deviceId, UnaryOperator<DeviceRecord> change) {
        return update(deviceId, change, written -> { });
    }

    /**
     * As {@link #update(String, UnaryOperator)}, then runs {@code afterWrite} with the record written, still under the
     * lock: for a step that others decide on by reading the record without the lock (the registration's re-drain of a
     * borrowed device reads whether it is still borrowed), which must therefore come after the write.
     */
    public DeviceRecord update(String deviceId, UnaryOperator<DeviceRecord> change,
            java.util.function.Consumer<DeviceRecord> afterWrite) {
        synchronized (lockOf(requireValidId(deviceId))) {
            DeviceRecord changed = change.apply(get(deviceId));
            write(changed);
            afterWrite.accept(changed);
            return changed;
        }
    }

    /** Deletes the record with its logs and files; refused while the device is borrowed. */
    public void delete(String deviceId) {
        synchronized (lockOf(requireValidId(deviceId))) {
            DeviceRecord record = get(deviceId);
            if (record.currentBorrower() != null) {
                throw ApiException.conflict(ErrorCode.DEVICE_ALREADY_BORROWED,
                        "device '" + deviceId + "' is borrowed by " + record.currentBorrower() + "; return it first",
                        deviceId);
            }
            Path dir = deviceDirectory(record.type(), deviceId);
            try {
                Path files = dir.resolve("files");
                if (isMountPoint(files, dir)) {
                    // the host device's disk (fleet/DesktopDisk) is mounted on files/ and cannot be removed (EBUSY): the
                    // record and logs go, the mount point stays for the device's next discovery, and the disk's
                    // contents are dropped by its next reset, which mounts it anew
                    try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
                        for (Path child : children) {
                            if (!child.getFileName().equals(files.getFileName())) {
                                LinkSafeTree.deleteTree(child);
                            }
                        }
                    }
                } else {
                    // files/ may be a worker's (the host device's uid): a path walk would follow a directory it swapped
                    // for a link between listing and deleting, and delete root's files elsewhere
                    LinkSafeTree.deleteTree(dir);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete " + dir, e);
            }
            typeById.remove(deviceId);
        }
    }

    /** Whether {@code path} is a directory (not a link) on another file system than {@code parent}: a mount point. */
    private static boolean isMountPoint(Path path, Path parent) throws IOException {
        if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        return !Files.getAttribute(path, "unix:dev", LinkOption.NOFOLLOW_LINKS)
                .equals(Files.getAttribute(parent, "unix:dev", LinkOption.NOFOLLOW_LINKS));
    }

    public Path filesDirectory(String deviceId) {
        return deviceDirectory(get(deviceId).type(), deviceId).resolve("files");
    }

    public Path logsDirectory(String deviceId) {
        return deviceDirectory(get(deviceId).type(), deviceId).resolve("logs");
    }

    /**
     * {@code devices/{type}/{id}/}, each name encoded by {@link PathSegments}: one directory level per id, whatever
     * '/' or '.' the id holds, always inside the data directory, and distinct ids never share a directory.
     */
    public Path deviceDirectory(String type, String deviceId) {
        Path dir = devicesRoot.resolve(PathSegments.encode(type)).resolve(PathSegments.encode(deviceId));
        if (!dir.normalize().startsWith(devicesRoot) || !dir.getParent().getParent().equals(devicesRoot)) {
            throw new IllegalStateException("device directory " + dir + " outside " + devicesRoot);
        }
        return dir;
    }

    public Path devicesRoot() {
        return devicesRoot;
    }

    private DeviceRecord getIfPresent(String deviceId) {
        try {
            return get(deviceId);
        } catch (ApiException deletedMeanwhile) {
            return null;
        }
    }

    private Path recordFile(String type, String deviceId) {
        return deviceDirectory(type, deviceId).resolve(RECORD_FILE);
    }

    private DeviceRecord read(Path file, String deviceId) {
        try {
            return json.readValue(file.toFile(), DeviceRecord.class);
        } catch (java.nio.file.NoSuchFileException | java.io.FileNotFoundException gone) {
            throw ApiException.deviceNotFound(deviceId);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private void write(DeviceRecord record) {
        Path file = recordFile(record.type(), record.deviceId());
        try {
            AtomicFiles.write(file, json.writeValueAsBytes(record));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private Object lockOf(String deviceId) {
        return locks.computeIfAbsent(deviceId, id -> new Object());
    }
}
