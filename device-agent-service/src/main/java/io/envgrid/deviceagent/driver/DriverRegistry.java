package io.envgrid.deviceagent.driver;

import io.envgrid.deviceagent.error.ApiException;
import io.envgrid.deviceagent.error.ErrorCode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The drivers of this host by device type; iOS and Windows have none yet and say so. */
@ApplicationScoped
public class DriverRegistry {

    private final Map<String, DeviceDriver> byType = new TreeMap<>();

    public DriverRegistry(Instance<DeviceDriver> drivers) {
        drivers.forEach(driver -> byType.put(driver.type(), driver));
    }

    public DeviceDriver forType(String type) {
        DeviceDriver driver = byType.get(type);
        if (driver == null) {
            // 409, not 5xx: the request asks for something this host can never do; retrying changes nothing
            throw new ApiException(409, ErrorCode.DEVICE_CONNECTION_FAILED,
                    "no driver for device type '" + type + "' on this host; drivers: " + byType.keySet(),
                    Map.of("type", type, "drivers", List.copyOf(byType.keySet()), "reason", "no_driver"));
        }
        return driver;
    }

    public List<DeviceDriver> all() {
        return List.copyOf(byType.values());
    }
}
