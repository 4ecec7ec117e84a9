package dev.gracekeeper.hook;

import dev.gracekeeper.config.Cidr;
import dev.gracekeeper.config.Config;
import dev.gracekeeper.config.Secret;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * Decides who may call {@code /poststart} and {@code /shutdown}. Loopback is always allowed;
 * otherwise every configured guard (token, allowlist) must pass.
 */
public final class HookGuard {
    public static final String TOKEN_HEADER = "X-Gracekeeper-Token";
    /** Also matches an IPv4-mapped IPv6 loopback source seen on a dual-stack listener. */
    private static final Cidr LOOPBACK4 = Cidr.parse("127.0.0.0/8");

    public enum Verdict {
        ALLOWED(200, "allowed"),
        NO_TOKEN(401, "no " + TOKEN_HEADER + " header"),
        WRONG_TOKEN(401, "wrong " + TOKEN_HEADER + " header"),
        SOURCE_NOT_ALLOWED(403, "source address not in GRACEKEEPER_HOOK_ALLOW_FROM");

        final int status;
        final String reason;

        Verdict(int status, String reason) {
            this.status = status;
            this.reason = reason;
        }

        public int status() { return status; }

        public String reason() { return reason; }

        public String metricLabel() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    private final Optional<Secret> token;
    private final List<Cidr> allowFrom;

    public HookGuard(Config config) {
        this(config.hookToken(), config.hookAllowFrom());
    }

    HookGuard(Optional<Secret> token, List<Cidr> allowFrom) {
        this.token = token;
        this.allowFrom = List.copyOf(allowFrom);
    }

    public Verdict check(InetAddress source, String tokenHeader) {
        if (source != null && (source.isLoopbackAddress() || LOOPBACK4.contains(source))) {
            return Verdict.ALLOWED;
        }
        if (!allowFrom.isEmpty() && (source == null || allowFrom.stream().noneMatch(c -> c.contains(source)))) {
            return Verdict.SOURCE_NOT_ALLOWED;
        }
        if (token.isPresent()) {
            if (tokenHeader == null) return Verdict.NO_TOKEN;
            if (!token.get().matches(tokenHeader)) return Verdict.WRONG_TOKEN;
        }
        return Verdict.ALLOWED;
    }
}
