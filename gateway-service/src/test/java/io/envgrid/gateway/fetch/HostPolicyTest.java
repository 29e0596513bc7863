package io.envgrid.gateway.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which literal addresses count as public for {@code fetch} and task downloads (no DNS: literals only). */
class HostPolicyTest {

    @ParameterizedTest(name = "{0} public={1}")
    @CsvSource({
            "93.184.215.14, true", "2606:2800:21f:cb07:6820:80da:af6b:8b2c, true",
            "127.0.0.1, false", "10.1.2.3, false", "169.254.169.254, false", "100.64.0.1, false", "0.1.2.3, false",
            "198.18.0.1, false", "198.19.255.255, false", "240.0.0.1, false", "255.255.255.255, false",
            "192.0.2.1, false", "203.0.113.9, false", "::1, false", "fd00::1, false", "fe80::1, false",
            "2001:db8::1, false", "100::1, false", "2001:0:4136:e378:8000:63bf:3fff:fdd2, false", "64:ff9b:1::a00:1, false",
            // an IPv4 address carried in IPv6 is judged by that address
            "64:ff9b::a9fe:a9fe, false", "64:ff9b::5db8:d70e, true", "2002:a00:1::1, false", "2002:5db8:d70e::1, true",
            "::a9fe:a9fe, false", "::ffff:169.254.169.254, false"})
    void literalAddresses(String literal, boolean expected) throws Exception {
        assertEquals(expected, HostPolicy.isPublic(InetAddress.getByName(literal)), literal);
    }
}
