package io.envgrid.deviceagent.operation;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.deviceagent.driver.CommandResult;
import io.envgrid.deviceagent.driver.DeviceDriver;
import io.envgrid.deviceagent.driver.DeviceTarget;
import io.envgrid.deviceagent.driver.DriverRegistry;
import io.envgrid.deviceagent.error.ApiException;
import io.envgrid.deviceagent.error.ErrorCode;
import io.envgrid.deviceagent.event.EventBroadcaster;
import io.envgrid.deviceagent.files.FileRules;
import io.envgrid.deviceagent.lending.DeviceLeaseGuard;
import io.envgrid.deviceagent.presence.DevicePresence;
import io.envgrid.deviceagent.record.BorrowEntry;
import io.envgrid.deviceagent.record.DeviceRecord;
import io.envgrid.deviceagent.record.DeviceStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/** The device tools of seed 004: records, borrowing, and driver work on the device itself. */
@ApplicationScoped
public class DeviceOperations {

    private static final Logger LOG = Logger.getLogger(DeviceOperations.class);

    private final DeviceStore store;
    private final DriverRegistry drivers;
    private final DevicePresence presence;
    private final FileRules files;
    private final EventBroadcaster events;
    private final ObjectMapper json;
    private final DeviceLeaseGuard leases;

    public DeviceOperations(DeviceStore store, DriverRegistry drivers, DevicePresence presence, FileRules files,
            EventBroadcaster events, ObjectMapper json, DeviceLeaseGuard leases) {
        this.json = json;
        this.leases = leases;
        this.store = store;
        this.drivers = drivers;
        this.presence = presence;
        this.files = files;
        this.events = events;
    }

    public Map<String, Object> list() {
        return Map.of("devices", store.all().stream().map(r -> {
            Map<String, Object> device = new LinkedHashMap<>();
            device.put("id", r.deviceId());
            device.put("type", r.type());
            device.put("name", r.name());
            device.put("status", presence.of(r.deviceId()));
            device.put("info", r.specs());
            return device;
        }).toList());
    }

    public Map<String, Object> connect(String deviceId) {
        DeviceTarget target = target(deviceId);
        driverOf(deviceId).connect(target);
        presence.connected(deviceId);
        events.deviceStatus(deviceId, DevicePresence.CONNECTED);
        return Map.of("success", true, "device_id", deviceId);
    }

    public Map<String, Object> disconnect(String deviceId) {
        DeviceTarget target = target(deviceId);
        driverOf(deviceId).disconnect(target);
        presence.disconnected(deviceId);
        events.deviceStatus(deviceId, presence.of(deviceId));
        return Map.of("success", true, "device_id", deviceId);
    }

    /** A command that exits non-zero is reported with {@code success: false}; only failing to run it is an error. */
    public Map<String, Object> execute(String deviceId, String command) {
        DeviceTarget target = target(deviceId);
        CommandResult result = driverOf(deviceId).execute(target, command);
        logCommand(deviceId, command, result.exitCode());
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("success", result.succeeded());
        response.put("output", result.output());
        response.put("error", result.error());
        response.put("exit_code", result.exitCode());
        response.put("device_id", deviceId);
        return response;
    }

    /** {@code local_path} names a file in the device's {@code files/} directory; {@code install} installs it. */
    public Map<String, Object> upload(String deviceId, String localPath, String remotePath, boolean install) {
        DeviceTarget target = target(deviceId);
        Path local = files.confine(target.filesDirectory(), localPath);
        files.requireAllowedType(localPath);
        if (!Files.isRegularFile(local)) {
            throw new ApiException(400, ErrorCode.INVALID_PARAMETERS,
                    "no file '" + localPath + "' in the device's files directory", Map.of("local_path", localPath));
        }
        files.requireAllowedSize(local);
        DeviceDriver driver = driverOf(deviceId);
        if (install) {
            driver.install(target, local);
        } else {
            driver.push(target, local, remotePath);
        }
        Map<String, Object> response = transfer(deviceId, localPath, remotePath);
        response.put("installed", install);
        return response;
    }

    /** The file lands in the device's {@code files/} directory; one over the size limit is removed again. */
    public Map<String, Object> download(String deviceId, String remotePath, String localPath) {
        DeviceTarget target = target(deviceId);
        Path local = files.confine(target.filesDirectory(), localPath);
        files.requireAllowedType(localPath);
        // a refused download leaves nothing behind, not even the directories made for it (the fuzz found them)
        Path firstCreated = firstMissing(local.getParent());
        try {
            Files.createDirectories(local.getParent());
            driverOf(deviceId).pull(target, remotePath, local);
            files.requireAllowedSize(local);
        } catch (ApiException e) {
            if (e.status() == 413) {
                deleteQuietly(local);
            }
            removeCreated(local.getParent(), firstCreated);
            throw e;
        } catch (FileSystemException e) {
            // a parent that is a file, a name the file system refuses: the caller's path, not a host fault
            removeCreated(local.getParent(), firstCreated);
            throw new ApiException(400, ErrorCode.INVALID_PARAMETERS, "cannot write local_path '" + localPath + "': "
                    + e.getClass().getSimpleName(), Map.of("local_path", localPath));
        } catch (IOException e) {
            removeCreated(local.getParent(), firstCreated);
            throw new ApiException(500, ErrorCode.INTERNAL_ERROR, "cannot prepare " + localPath, Map.of());
        }
        return transfer(deviceId, localPath, remotePath);
    }

    public Map<String, Object> status(String deviceId) {
        DeviceRecord record = store.get(deviceId);
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("device_id", record.deviceId());
        response.put("name", record.name());
        response.put("type", record.type());
        response.put("sku", record.sku());
        response.put("cpu_type", record.cpuType());
        response.put("status", record.status());
        response.put("connection", presence.of(deviceId));
        response.put("current_borrower", record.currentBorrower());
        response.put("specs", record.specs());
        response.put("borrow_history", record.borrowHistory());
        response.put("last_updated", record.lastUpdated());
        return response;
    }

    public DeviceRecord info(String deviceId) {
        return store.get(deviceId);
    }

    /**
     * Exactly one of concurrent borrowers wins: the check and the write run under the device's lock. Inside it the
     * allocator is asked too, so a device leased there is refused, and a losing borrower never undoes the
     * winner's drain.
     */
    public Map<String, Object> borrow(String deviceId, String borrower, String purpose, String expectedReturnDate) {
        requireDate(expectedReturnDate);
        String now = Instant.now().toString();
        BorrowEntry entry = new BorrowEntry(borrower, now, null, purpose, expectedReturnDate, null);
        boolean[] claimed = {false};
        try {
            store.update(deviceId, record -> {
                if (record.currentBorrower() != null) {
                    throw ApiException.conflict(ErrorCode.DEVICE_ALREADY_BORROWED,
                            "device '" + deviceId + "' is already borrowed by " + record.currentBorrower(), deviceId);
                }
                leases.claimForBorrow(deviceId);
                claimed[0] = true;
                return record.borrowed(entry, now);
            });
        } catch (RuntimeException e) {
            if (claimed[0]) {
                leases.release(deviceId);
            }
            throw e;
        }
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("success", true);
        response.put("device_id", deviceId);
        response.put("borrower", borrower);
        response.put("borrow_date", now);
        response.put("expected_return_date", expectedReturnDate);
        response.put("purpose", purpose);
        events.publish(EventBroadcaster.DEVICE_BORROWED, Map.of("device_id", deviceId, "borrower", borrower,
                "purpose", purpose, "borrow_date", now, "expected_return_date", expectedReturnDate));
        events.deviceStatus(deviceId, DeviceRecord.BORROWED);
        return response;
    }

    /**
     * Ends the open borrow. Only its borrower may (the {@code returner} equals the {@code borrower} recorded at
     * {@code device.borrow}), or a caller with the service token ({@code asService}, operators); anyone else gets
     * {@code 403 NOT_BORROWER} before anything changes: record, history and the allocator's drain stay as they were.
     */
    public Map<String, Object> giveBack(String deviceId, String returner, boolean asService) {
        String now = Instant.now().toString();
        DeviceRecord returned = store.update(deviceId, record -> {
            BorrowEntry open = record.openBorrow();
            if (open == null) {
                throw ApiException.conflict(ErrorCode.DEVICE_NOT_BORROWED, "device '" + deviceId + "' is not borrowed",
                        deviceId);
            }
            if (!asService && !open.borrower().equals(returner)) {
                throw new ApiException(403, ErrorCode.NOT_BORROWER, "device '" + deviceId
                        + "' can be returned only by its borrower (or with the service token)",
                        Map.of("device_id", deviceId));
            }
            // Under the lock, so that it cannot undo the drain of a borrow that follows this return.
            leases.release(deviceId);
            return record.returned(returner, now);
        });
        // Borrows are appended and only one is open at a time, so the one just closed is the last.
        BorrowEntry closed = returned.borrowHistory().get(returned.borrowHistory().size() - 1);
        String duration = hoursAndMinutes(Duration.between(Instant.parse(closed.borrowDate()), Instant.parse(now)));
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("success", true);
        response.put("device_id", deviceId);
        response.put("returner", returner);
        response.put("return_date", now);
        response.put("borrow_duration", duration);
        events.publish(EventBroadcaster.DEVICE_RETURNED, Map.of("device_id", deviceId, "returner", returner,
                "return_date", now, "borrow_duration", duration));
        events.deviceStatus(deviceId, DeviceRecord.AVAILABLE);
        return response;
    }

    public Map<String, Object> create(DeviceRecord record) {
        store.create(record);
        events.system("device_created", record.deviceId());
        return Map.of("success", true, "device_id", record.deviceId(), "message", "device created");
    }

    public Map<String, Object> update(String deviceId, String name, String sku, String cpuType,
            Map<String, Object> specChanges) {
        store.update(deviceId, record -> record.updated(name, sku, cpuType, specChanges, Instant.now().toString()));
        events.system("device_updated", deviceId);
        return Map.of("success", true, "device_id", deviceId, "message", "device updated");
    }

    public Map<String, Object> delete(String deviceId) {
        store.delete(deviceId);
        presence.disconnected(deviceId);
        events.system("device_deleted", deviceId);
        return Map.of("success", true, "device_id", deviceId, "message", "device deleted");
    }

    /** As the seed's {@code 6h 0m}. */
    static String hoursAndMinutes(Duration duration) {
        return duration.toHours() + "h " + duration.toMinutesPart() + "m";
    }

    private DeviceTarget target(String deviceId) {
        store.get(deviceId);
        return new DeviceTarget(deviceId, store.filesDirectory(deviceId));
    }

    private DeviceDriver driverOf(String deviceId) {
        return drivers.forType(store.get(deviceId).type());
    }

    private static Map<String, Object> transfer(String deviceId, String localPath, String remotePath) {
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("success", true);
        response.put("local_path", localPath);
        response.put("remote_path", remotePath);
        response.put("device_id", deviceId);
        return response;
    }

    /** Accepts ISO-8601 with an offset, or without one as Python's {@code isoformat()} writes it (the seed's client). */
    private static void requireDate(String value) {
        try {
            OffsetDateTime.parse(value);
        } catch (DateTimeParseException withoutOffset) {
            try {
                LocalDateTime.parse(value);
            } catch (DateTimeParseException e) {
                throw ApiException.badRequest("expected_return_date must be an ISO-8601 date-time, got '" + value + "'");
            }
        }
    }

    /** The outermost directory of {@code dir}'s chain that does not exist yet, or null when {@code dir} exists. */
    private static Path firstMissing(Path dir) {
        Path missing = null;
        for (Path p = dir; p != null && !Files.exists(p); p = p.getParent()) {
            missing = p;
        }
        return missing;
    }

    /** Removes the (empty) directories from {@code dir} up to {@code firstCreated}, which this call made. */
    private static void removeCreated(Path dir, Path firstCreated) {
        if (firstCreated == null) {
            return;
        }
        for (Path p = dir; p != null && p.startsWith(firstCreated); p = p.getParent()) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                return; // not empty (something else wrote there meanwhile) or gone: leave it
            }
        }
    }

    /** One JSON line per command in the device's {@code logs/commands.log}. */
    private void logCommand(String deviceId, String command, int exitCode) {
        try {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("timestamp", Instant.now().toString());
            entry.put("command", command);
            entry.put("exit_code", exitCode);
            String line = json.writeValueAsString(entry) + "\n";
            Files.writeString(store.logsDirectory(deviceId).resolve("commands.log"), line, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            LOG.warnf("cannot log command of %s: %s", deviceId, e.getMessage());
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warnf("cannot remove oversized download %s: %s", file, e.getMessage());
        }
    }
}
