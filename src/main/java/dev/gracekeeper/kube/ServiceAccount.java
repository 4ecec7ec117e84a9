package dev.gracekeeper.kube;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The pod's in-cluster identity, read from the files the kubelet mounts: {@code token} (re-read
 * for every request, because bound tokens are rotated in place), {@code ca.crt} (the only
 * certificates trusted for the API server) and {@code namespace}.
 */
public final class ServiceAccount {
    private final Path dir;

    public ServiceAccount(Path dir) { this.dir = dir; }

    /** Thrown when a file is missing or unusable; the message says which and how to fix it. */
    public static final class Problem extends Exception {
        private static final long serialVersionUID = 1L;

        Problem(String message, Throwable cause) { super(message, cause); }
    }

    public String token() throws Problem {
        Path p = dir.resolve("token");
        try {
            String t = Files.readString(p, StandardCharsets.US_ASCII).strip();
            if (t.isEmpty()) throw new Problem("the service account token " + p + " is empty", null);
            return t;
        } catch (IOException e) {
            throw new Problem("no service account token at " + p + " (" + e + "); fix: do not set"
                    + " automountServiceAccountToken: false on the pod or its ServiceAccount", e);
        }
    }

    /** The namespace file, for a pod spec without POD_NAMESPACE. */
    public String namespace() throws Problem {
        Path p = dir.resolve("namespace");
        try {
            return Files.readString(p, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new Problem("no namespace file at " + p + " (" + e + "); fix: set POD_NAMESPACE from the downward"
                    + " API (fieldPath: metadata.namespace)", e);
        }
    }

    /** A trust manager that accepts exactly the certificates of {@code ca.crt}. */
    public X509TrustManager trust() throws Problem {
        Path p = dir.resolve("ca.crt");
        try (InputStream in = Files.newInputStream(p)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) throw new Problem("no certificate in " + p, null);
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int n = 0;
            for (Certificate c : certs) ks.setCertificateEntry("ca-" + n++, c);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) return x;
            }
            throw new Problem("no X.509 trust manager for " + p, null);
        } catch (IOException | GeneralSecurityException e) {
            throw new Problem("cannot read the API server's CA bundle " + p + " (" + e + "); fix: do not set"
                    + " automountServiceAccountToken: false, or mount the kube-root-ca.crt ConfigMap there", e);
        }
    }

    /** An SSL context over {@link #trust()}. */
    public static SSLContext tls(X509TrustManager trust) throws Problem {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {trust}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new Problem("cannot set up TLS: " + e, e);
        }
    }
}
