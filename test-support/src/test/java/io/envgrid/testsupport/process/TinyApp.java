package io.envgrid.testsupport.process;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A stand-in for a packaged Quarkus application, run by {@link PackagedAppTest} as a child JVM: it answers 200 on
 * {@code /q/health/ready} at {@code -Dquarkus.http.port}, starts one child process ({@code sleep 600}, as a device
 * agent starts its X servers) and writes that child's pid to {@code -Dtiny.child-pid-file}. With
 * {@code -Dtiny.fail=true} it prints a line that is not valid UTF-8 and exits with 3 before it is ready.
 */
public final class TinyApp {

    private TinyApp() {
    }

    public static void main(String[] args) throws IOException {
        if (Boolean.getBoolean("tiny.fail")) {
            System.out.write(new byte[] {'b', 'a', 'd', ' ', (byte) 0xff, (byte) 0xfe, ' ', 'b', 'y', 't', 'e', 's', '\n'});
            System.out.println("the last line before the exit");
            System.out.flush();
            System.exit(3);
        }
        Process child = new ProcessBuilder("sleep", "600").start();
        Files.writeString(Path.of(System.getProperty("tiny.child-pid-file")), Long.toString(child.pid()));
        HttpServer server = HttpServer.create(
                new InetSocketAddress("127.0.0.1", Integer.getInteger("quarkus.http.port")), 0);
        server.createContext("/q/health/ready", exchange -> {
            exchange.sendResponseHeaders(200, 2);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write("up".getBytes());
            }
        });
        server.start();
    }
}
