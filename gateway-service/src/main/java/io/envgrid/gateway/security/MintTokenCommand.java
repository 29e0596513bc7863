package io.envgrid.gateway.security;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code mint-token --subject <principal> --workers <pattern>[,<pattern>…] --ttl <n>(s|m|h|d)
 * [--secret-file <path>]}: prints one {@code egw2} gateway token on stdout. The signing secret is
 * the gateway's ({@code ENVGRID_GATEWAY_AUTH_SIGNING_SECRET}, or the file's first line), so a
 * rollout job of thousands of workers gets one token whose prefix ({@code job42/}) covers every
 * worker id it uses. Exit 0 minted, 2 on a usage error (reason on stderr), including a {@code --workers}
 * that names no pattern ({@code ''}, {@code ','}).
 */
public final class MintTokenCommand {

    static final String SECRET_ENV = "ENVGRID_GATEWAY_AUTH_SIGNING_SECRET";
    private static final Pattern TTL = Pattern.compile("(\\d{1,9})([smhd])");
    /** A token is a bearer credential: a year is the longest one the command mints. */
    public static final Duration MAX_TTL = Duration.ofDays(366);

    private MintTokenCommand() {
    }

    public static int run(String[] args, PrintStream out, PrintStream err, Function<String, String> environment) {
        String subject = null;
        String workers = null;
        String ttl = null;
        String secretFile = null;
        for (int i = 0; i < args.length; i++) {
            if (i + 1 >= args.length) {
                return usage(err, "option " + args[i] + " needs a value");
            }
            String value = args[++i];
            switch (args[i - 1]) {
                case "--subject" -> subject = value;
                case "--workers" -> workers = value;
                case "--ttl" -> ttl = value;
                case "--secret-file" -> secretFile = value;
                default -> {
                    return usage(err, "unknown option " + args[i - 1]);
                }
            }
        }
        if (subject == null || ttl == null) {
            return usage(err, "--subject and --ttl are required");
        }
        Matcher m = TTL.matcher(ttl);
        if (!m.matches()) {
            return usage(err, "--ttl is a number with s, m, h or d (24h)");
        }
        long n = Long.parseLong(m.group(1));
        Duration life = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        if (life.isZero() || life.compareTo(MAX_TTL) > 0) {
            return usage(err, "--ttl is 1 s to 366 d");
        }
        String secret;
        try {
            secret = secretFile != null ? Files.readAllLines(Path.of(secretFile), StandardCharsets.UTF_8).stream()
                    .findFirst().orElse("") : environment.apply(SECRET_ENV);
        } catch (IOException e) {
            return usage(err, "cannot read " + secretFile + ": " + e.getMessage());
        }
        if (secret == null || secret.isBlank()) {
            return usage(err, "no signing secret: set " + SECRET_ENV + " (the gateway's) or pass --secret-file");
        }
        List<String> patterns = new ArrayList<>();
        for (String p : (workers == null ? subject : workers).split(",")) {
            if (!p.isBlank()) {
                patterns.add(p.trim());
            }
        }
        if (patterns.isEmpty()) {
            // A token entitled to no worker id can do nothing; minting one hides a typo in a script.
            return usage(err, "--workers names no pattern");
        }
        Instant expiry = Instant.now().plus(life);
        try {
            String token = TokenVerifier.mint(subject, patterns, expiry, secret.trim().getBytes(StandardCharsets.UTF_8));
            out.println(token);
            // the jti and exp are what an operator passes to POST /admin/token-revocations to revoke it
            err.printf("token for '%s', workers %s, valid until %s (exp %d), jti %s%n", subject,
                    patterns.stream().map(WorkerPattern::parse).map(WorkerPattern::text).toList(), expiry,
                    expiry.getEpochSecond(), TokenVerifier.tokenIdOf(token));
            return 0;
        } catch (IllegalArgumentException e) {
            return usage(err, e.getMessage());
        }
    }

    private static int usage(PrintStream err, String problem) {
        err.println("mint-token: " + problem);
        err.println("usage: mint-token --subject <principal> [--workers <pattern>[,<pattern>...]] --ttl <n>(s|m|h|d)"
                + " [--secret-file <path>]");
        err.println("  patterns: an exact worker id, 'prefix/' or 'prefix*' (every id starting so), '*' (every id);"
                + " default: exactly the subject");
        return 2;
    }
}
