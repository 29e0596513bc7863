package io.envgrid.deviceagent.access;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The agent's service-token check from a digest alone: the token opens the door, nothing else does. */
class ServiceTokenCheckTest {

    /** {@code printf %s test-service-token | sha256sum} */
    private static final String DIGEST = "a954fc0f2f00bb3a8a29a4556649ac783d8f79c67c421e4b6b75975d2f715c22";

    @Test
    void theDigestAdmitsTheTokenAndNothingElse() {
        ServiceTokenCheck check = new ServiceTokenCheck(Optional.empty(), Optional.of(DIGEST.toUpperCase()));
        assertTrue(check.configured());
        assertTrue(check.presentedIn("Bearer test-service-token"));
        assertFalse(check.presentedIn("Bearer " + DIGEST), "the digest itself is no token");
        assertFalse(check.presentedIn("Bearer test-service-token "));
        assertFalse(check.presentedIn("test-service-token"));
        assertFalse(check.presentedIn("Basic test-service-token"));
        assertFalse(check.presentedIn(null));
    }

    @Test
    void aPlainTokenIsCheckedTheSameWay() {
        ServiceTokenCheck check = new ServiceTokenCheck(Optional.of("test-service-token"), Optional.empty());
        assertTrue(check.presentedIn("Bearer test-service-token"));
        assertFalse(check.presentedIn("Bearer other"));
    }

    @Test
    void noSettingAdmitsNobody() {
        ServiceTokenCheck check = new ServiceTokenCheck(Optional.empty(), Optional.of(" "));
        assertFalse(check.configured());
        assertFalse(check.presentedIn("Bearer "));
    }

    @Test
    void bothSettingsOrAMalformedDigestStopTheStart() {
        assertThrows(IllegalStateException.class, () -> new ServiceTokenCheck(Optional.of("t"), Optional.of(DIGEST)));
        assertThrows(IllegalStateException.class, () -> new ServiceTokenCheck(Optional.empty(), Optional.of(DIGEST.substring(1))));
        assertThrows(IllegalStateException.class, () -> new ServiceTokenCheck(Optional.empty(),
                Optional.of("g" + DIGEST.substring(1))));
    }
}
