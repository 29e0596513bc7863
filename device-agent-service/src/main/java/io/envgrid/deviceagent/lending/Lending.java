package io.envgrid.deviceagent.lending;

import io.envgrid.deviceagent.error.ApiException;
import io.envgrid.deviceagent.error.ErrorCode;
import io.envgrid.deviceagent.event.EventBroadcaster;
import io.envgrid.deviceagent.fleet.DesktopResets;
import io.envgrid.deviceagent.fleet.HostDeviceClean;
import io.envgrid.deviceagent.fleet.ResetOutcome;
import io.envgrid.deviceagent.record.BorrowEntry;
import io.envgrid.deviceagent.record.DeviceRecord;
import io.envgrid.deviceagent.record.DeviceStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code device.borrow} and {@code device.return}: the open entry of a record's borrow history, kept apart from
 * allocator leases by the {@link DeviceLeaseGuard}, announced on {@code /ws} ({@code device_borrowed},
 * {@code device_returned}). Returning the host device resets it first, as a lease's end does ({@link DesktopResets}).
 */
@ApplicationScoped
public class Lending {

    private final DeviceStore store;
    private final EventBroadcaster events;
    private final DeviceLeaseGuard leases;
    private final DesktopResets resets;
    /** Returned devices whose reset failed: kept drained until a retry resets them clean ({@link #clean}). */
    private final Set<String> unclean = ConcurrentHashMap.newKeySet();

    public Lending(DeviceStore store, EventBroadcaster events, DeviceLeaseGuard leases, DesktopResets resets) {
        this.store = store;
        this.events = events;
        this.leases = leases;
        this.resets = resets;
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
        return announce(EventBroadcaster.DEVICE_BORROWED, deviceId, DeviceRecord.BORROWED, "borrower", borrower,
                "borrow_date", now, "expected_return_date", expectedReturnDate, "purpose", purpose);
    }

    /**
     * Ends the open borrow. Only its borrower may (the {@code returner} equals the {@code borrower} recorded at
     * {@code device.borrow}), or a caller with the service token ({@code asService}, operators); anyone else gets
     * {@code 403 NOT_BORROWER} before anything changes: record, history and the allocator's drain stay as they were.
     * The host device is reset before it is undrained (its borrower's processes killed, its files emptied), so no lease
     * granted after the return meets them; if that reset fails the return still counts, but the device stays drained
     * (and its calls refused) until a retry resets it clean.
     */
    public Map<String, Object> giveBack(String deviceId, String returner, boolean asService) {
        String now = Instant.now().toString();
        boolean[] clean = {true};
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
            if (resets.resetsOnReturn(deviceId) && resets.resetReturned() instanceof ResetOutcome.Failed) {
                unclean.add(deviceId);
                clean[0] = false;
            }
            return record.returned(returner, now);
        }, written -> {
            // Under the lock, so that it cannot undo the drain of a borrow that follows this return; after the write,
            // so that the registration's re-drain of borrowed devices (which reads the record without the lock) cannot
            // read "borrowed" once the drain is lifted and drain the returned device again.
            if (clean[0]) {
                leases.release(deviceId);
            }
        });
        // Borrows are appended and only one is open at a time, so the one just closed is the last.
        BorrowEntry closed = returned.borrowHistory().get(returned.borrowHistory().size() - 1);
        String duration = hoursAndMinutes(Duration.between(Instant.parse(closed.borrowDate()), Instant.parse(now)));
        return announce(EventBroadcaster.DEVICE_RETURNED, deviceId, DeviceRecord.AVAILABLE, "returner", returner,
                "return_date", now, "borrow_duration", duration);
    }

    /**
     * A retry reset the host device clean after the reset of its return failed: it may be leased again, unless it was
     * borrowed again meanwhile (then its own return undrains it).
     */
    void clean(@Observes HostDeviceClean clean) {
        if (!unclean.remove(clean.deviceId())) {
            return;
        }
        store.update(clean.deviceId(), record -> {
            if (record.currentBorrower() == null) {
                leases.release(clean.deviceId());
            }
            return record;
        });
    }

    /**
     * Tells {@code /ws} listeners of the change ({@code event} with the device id and {@code fields}, then the
     * device's new {@code status}) and returns the tool's answer: {@code success: true}, the device id and the same
     * fields, in order. {@code fields} alternates names and values.
     */
    private Map<String, Object> announce(String event, String deviceId, String status, Object... fields) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("device_id", deviceId);
        for (int i = 0; i < fields.length; i += 2) {
            data.put((String) fields[i], fields[i + 1]);
        }
        events.publish(event, data);
        events.deviceStatus(deviceId, status);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("success", true);
        answer.putAll(data);
        return answer;
    }

    /** As the device tools' contract writes a borrow's length: {@code 6h 0m}. */
    static String hoursAndMinutes(Duration duration) {
        return duration.toHours() + "h " + duration.toMinutesPart() + "m";
    }

    /** Accepts ISO-8601 with an offset, or without one as Python's {@code isoformat()} writes it (Python clients). */
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
}
