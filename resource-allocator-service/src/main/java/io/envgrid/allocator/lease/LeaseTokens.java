package io.envgrid.allocator.lease;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.StringJoiner;

/**
 * Lease tokens: the credential that proves "I hold the live lease of this resource"
 * (docs/isolation.md). {@code elt_} followed by 128 random bits in unpadded base64url (22
 * characters); a fresh one for every grant, stored with the lease and dropped when it ends.
 */
final class LeaseTokens {

    static final String PREFIX = "elt_";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private LeaseTokens() {
    }

    /** {@code count} fresh tokens separated by single spaces, the form {@code allocate.lua} takes. */
    static String fresh(int count) {
        StringJoiner tokens = new StringJoiner(" ");
        byte[] bits = new byte[16];
        for (int i = 0; i < count; i++) {
            RANDOM.nextBytes(bits);
            tokens.add(PREFIX + BASE64URL.encodeToString(bits));
        }
        return tokens.toString();
    }
}
