package io.envgrid.gateway.support;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A request whose client goes away: written on a plain socket that the test closes without
 * reading the answer, which is how a client timing out looks to the server.
 */
public final class RawHttp {

    private RawHttp() {
    }

    /** Sends {@code POST path} with a JSON body to the server of {@code base}; the caller closes the socket. */
    public static Socket post(URL base, String path, Map<String, String> headers, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder("POST ").append(path).append(" HTTP/1.1\r\nHost: ").append(base.getHost())
                .append(':').append(base.getPort()).append("\r\nContent-Type: application/json\r\nContent-Length: ")
                .append(bytes.length).append("\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        Socket socket = new Socket(base.getHost(), base.getPort());
        OutputStream out = socket.getOutputStream();
        out.write(head.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
        out.write(bytes);
        out.flush();
        return socket;
    }
}
