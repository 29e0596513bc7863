package io.envgrid.deviceagent.lending;

import io.envgrid.deviceagent.error.ApiException;
import io.envgrid.deviceagent.error.ErrorCode;
import io.envgrid.deviceagent.event.EventBroadcaster;
import io.envgrid.deviceagent.record.BorrowEntry;
import io.envgrid.deviceagent.record.DeviceRecord;
import io.envgrid.deviceagent.record.DeviceStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code device.borrow} and {@code device.return}: the open entry of a record's borrow history, kept apart from
 * allocator leases by the {@link DeviceLeaseGuard}, announced on {@code /ws} ({@code device_borrowed},
 * {@code device_returned}).
 */
@ApplicationScoped
public class Lending {

    private final DeviceStore store;
    private final EventBroadcaster events;
    private final DeviceLeaseGuard leases;

    public Lending(DeviceStore store, EventBroadcaster events, DeviceLeaseGuard leases) {
        this.store = store;
        this.events = events;
        this.leases = leases;
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
