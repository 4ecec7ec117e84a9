package dev.gracekeeper.hook;

import dev.gracekeeper.config.Cidr;
import dev.gracekeeper.config.Config;
import dev.gracekeeper.config.Secret;
import dev.gracekeeper.config.Var;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * Decides who may call {@code /poststart} and {@code /shutdown}. A caller on 127.0.0.1 or ::1 is
 * always allowed; otherwise every configured guard (token, allowlist) must pass. The rest of
 * 127.0.0.0/8 is not exempt: a service mesh proxy such as Istio's forwards inbound traffic from
 * any pod with source 127.0.0.6, and that must not bypass the token.
 */
public final class HookGuard {
    public static final String TOKEN_HEADER = "X-Gracekeeper-Token";
    private static final byte[] LOCALHOST4 = {127, 0, 0, 1};

    public enum Verdict {
        ALLOWED(200, "allowed"),
        NO_TOKEN(401, "no " + TOKEN_HEADER + " header"),
        WRONG_TOKEN(401, "wrong " + TOKEN_HEADER + " header"),
        SOURCE_NOT_ALLOWED(403, "source address not in " + Var.HOOK_ALLOW_FROM.envName());

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
        if (isLocalCaller(source)) return Verdict.ALLOWED;
        if (!allowFrom.isEmpty() && (source == null || allowFrom.stream().noneMatch(c -> c.contains(source)))) {
            return Verdict.SOURCE_NOT_ALLOWED;
        }
        if (token.isPresent()) {
            if (tokenHeader == null) return Verdict.NO_TOKEN;
            if (!token.get().matches(tokenHeader)) return Verdict.WRONG_TOKEN;
        }
        return Verdict.ALLOWED;
    }

    /** 127.0.0.1 or ::1 (an IPv4-mapped 127.0.0.1 arrives as a plain IPv4 address in Java). */
    static boolean isLocalCaller(InetAddress source) {
        if (source == null) return false;
        byte[] a = source.getAddress();
        if (a.length == 4) return java.util.Arrays.equals(a, LOCALHOST4);
        return source.isLoopbackAddress();
    }
}
