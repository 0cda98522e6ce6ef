package io.tributary.schemas.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigException;

/**
 * How {@link HttpSchemaRegistryClient} reaches the registry.
 *
 * @param urls base URLs of the registry, tried in turn when one cannot be reached; a base path is kept (Apicurio:
 *     {@code http://host:8080/apis/ccompat/v7})
 * @param connectTimeout how long to wait for a connection
 * @param requestTimeout how long to wait for an answer once a request is sent
 * @param retries how many times a request is tried again after a connection failure, a timeout, a 5xx or a 429
 *     answer (never after another 4xx)
 * @param retryBackoff the wait before the first retry; it doubles with each retry
 * @param maxRetryBackoff the longest wait between two tries (also caps a 429's {@code Retry-After})
 * @param basicAuthUserInfo {@code user:password} for HTTP basic authentication, or null
 * @param tls trust store and key store (or an {@link SSLContext}) for https URLs, or null for the JDK's defaults
 * @param latestTtl how long the latest version of a subject is cached
 */
public record RegistrySettings(List<URI> urls, Duration connectTimeout, Duration requestTimeout, int retries,
        Duration retryBackoff, Duration maxRetryBackoff, String basicAuthUserInfo, Tls tls, Duration latestTtl) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_RETRIES = 3;
    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(200);
    public static final Duration DEFAULT_MAX_RETRY_BACKOFF = Duration.ofSeconds(5);
    public static final Duration DEFAULT_LATEST_TTL = Duration.ofSeconds(30);
    /** A {@link #latestTtl()} that never expires. */
    public static final Duration FOREVER = Duration.ofDays(365L * 100);

    public RegistrySettings {
        urls = List.copyOf(urls);
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("at least one schema registry URL is needed");
        }
        for (URI url : urls) {
            checkUrl(url);
        }
        positive(connectTimeout, "connectTimeout");
        positive(requestTimeout, "requestTimeout");
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be >= 0, not " + retries);
        }
        notNegative(retryBackoff, "retryBackoff");
        notNegative(maxRetryBackoff, "maxRetryBackoff");
        notNegative(latestTtl, "latestTtl");
        if (basicAuthUserInfo != null && !basicAuthUserInfo.contains(":")) {
            throw new IllegalArgumentException("basic auth user info must be 'user:password'");
        }
    }

    /** Settings with the defaults for one or more base URLs. */
    public static RegistrySettings of(String... urls) {
        return builder().urls(urls).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.urls.addAll(urls);
        b.connectTimeout = connectTimeout;
        b.requestTimeout = requestTimeout;
        b.retries = retries;
        b.retryBackoff = retryBackoff;
        b.maxRetryBackoff = maxRetryBackoff;
        b.basicAuthUserInfo = basicAuthUserInfo;
        b.tls = tls;
        b.latestTtl = latestTtl;
        return b;
    }

    /**
     * Settings from a Kafka client configuration, with Confluent's key names (see {@link ConfluentAvroSerdeConfig}):
     * {@code schema.registry.url} (required, comma-separated), {@code basic.auth.credentials.source},
     * {@code basic.auth.user.info}, {@code schema.registry.ssl.*}, {@code http.connect.timeout.ms},
     * {@code http.read.timeout.ms}, {@code max.retries}, {@code retries.wait.ms}, {@code retries.max.wait.ms},
     * {@code latest.cache.ttl.sec}. Other keys are ignored; a bad value throws {@link ConfigException} naming the key.
     */
    public static RegistrySettings fromConfig(Map<String, ?> config) {
        ConfigValues values = new ConfigValues(config);
        String urlList = values.string(ConfluentAvroSerdeConfig.SCHEMA_REGISTRY_URL);
        if (urlList == null || urlList.isBlank()) {
            throw new ConfigException(ConfluentAvroSerdeConfig.SCHEMA_REGISTRY_URL + " is required: the base URL of "
                    + "the schema registry, e.g. http://localhost:8081");
        }
        Builder b = builder();
        String source = values.string(ConfluentAvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE);
        boolean fromUrl = source == null || source.equalsIgnoreCase("URL");
        if (source != null && !fromUrl && !source.equalsIgnoreCase("USER_INFO")) {
            throw new ConfigException(ConfluentAvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, source,
                    "supported: USER_INFO, URL");
        }
        for (String url : urlList.split(",")) {
            if (!url.isBlank()) {
                try {
                    b.url(url.trim(), fromUrl);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(ConfluentAvroSerdeConfig.SCHEMA_REGISTRY_URL, url, e.getMessage());
                }
            }
        }
        String userInfo = values.string(ConfluentAvroSerdeConfig.BASIC_AUTH_USER_INFO);
        if (userInfo == null) {
            userInfo = values.string(ConfluentAvroSerdeConfig.SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO);
        }
        if (userInfo != null && !userInfo.isEmpty() && (source == null || !fromUrl)) {
            if (!userInfo.contains(":")) {
                throw new ConfigException(ConfluentAvroSerdeConfig.BASIC_AUTH_USER_INFO, "****",
                        "expected 'user:password'");
            }
            b.basicAuth(userInfo);
        } else if (source != null && !fromUrl) {
            throw new ConfigException(ConfluentAvroSerdeConfig.BASIC_AUTH_USER_INFO + " is required when "
                    + ConfluentAvroSerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE + "=USER_INFO");
        }
        values.millis(ConfluentAvroSerdeConfig.HTTP_CONNECT_TIMEOUT_MS, 1).ifPresent(b::connectTimeout);
        values.millis(ConfluentAvroSerdeConfig.HTTP_READ_TIMEOUT_MS, 1).ifPresent(b::requestTimeout);
        values.integer(ConfluentAvroSerdeConfig.MAX_RETRIES, 0).ifPresent(b::retries);
        values.millis(ConfluentAvroSerdeConfig.RETRIES_WAIT_MS, 0).ifPresent(b::retryBackoff);
        values.millis(ConfluentAvroSerdeConfig.RETRIES_MAX_WAIT_MS, 0).ifPresent(b::maxRetryBackoff);
        values.longValue(ConfluentAvroSerdeConfig.LATEST_CACHE_TTL_SEC, Long.MIN_VALUE)
                .ifPresent(s -> b.latestTtl(s < 0 ? FOREVER : Duration.ofSeconds(s)));

        String truststore = values.string(ConfluentAvroSerdeConfig.SSL_TRUSTSTORE_LOCATION);
        String keystore = values.string(ConfluentAvroSerdeConfig.SSL_KEYSTORE_LOCATION);
        if (truststore != null || keystore != null) {
            b.tls(new Tls(truststore == null ? null : Path.of(truststore),
                    values.string(ConfluentAvroSerdeConfig.SSL_TRUSTSTORE_PASSWORD),
                    values.string(ConfluentAvroSerdeConfig.SSL_TRUSTSTORE_TYPE),
                    keystore == null ? null : Path.of(keystore),
                    values.string(ConfluentAvroSerdeConfig.SSL_KEYSTORE_PASSWORD),
                    values.string(ConfluentAvroSerdeConfig.SSL_KEYSTORE_TYPE),
                    values.string(ConfluentAvroSerdeConfig.SSL_KEY_PASSWORD), null));
        }
        return b.build();
    }

    /** The {@link SSLContext} for https URLs: from {@link #tls()}, or null for the JDK's default. */
    public SSLContext sslContext() {
        return tls == null ? null : tls.sslContext();
    }

    /** The base URLs, without trailing slash, to which API paths such as {@code /subjects} are appended. */
    List<String> bases() {
        List<String> bases = new ArrayList<>();
        for (URI url : urls) {
            String s = url.toString();
            bases.add(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        }
        return bases;
    }

    @Override
    public String toString() {
        return "RegistrySettings[urls=" + urls + ", connectTimeout=" + connectTimeout + ", requestTimeout="
                + requestTimeout + ", retries=" + retries + ", retryBackoff=" + retryBackoff + ", maxRetryBackoff="
                + maxRetryBackoff + ", basicAuthUserInfo=" + maskUserInfo(basicAuthUserInfo) + ", tls=" + tls
                + ", latestTtl=" + latestTtl + "]";
    }

    private static String maskUserInfo(String userInfo) {
        return userInfo == null ? null : userInfo.substring(0, userInfo.indexOf(':')) + ":****";
    }

    private static void checkUrl(URI url) {
        String scheme = url.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            throw new IllegalArgumentException("schema registry URL must be http or https: " + url);
        }
        if (url.getHost() == null) {
            throw new IllegalArgumentException("schema registry URL has no host: " + url);
        }
        if (url.getRawUserInfo() != null) {
            throw new IllegalArgumentException("schema registry URL must not carry credentials (use basic auth): "
                    + url.getScheme() + "://****@" + url.getHost());
        }
        if (url.getRawQuery() != null || url.getRawFragment() != null) {
            throw new IllegalArgumentException("schema registry URL must not have a query or fragment: " + url);
        }
    }

    private static void positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, not " + d);
        }
    }

    private static void notNegative(Duration d, String name) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, not " + d);
        }
    }

    /** Builds {@link RegistrySettings}; every setting has a default but the URLs. */
    public static final class Builder {

        private final List<URI> urls = new ArrayList<>();
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private int retries = DEFAULT_RETRIES;
        private Duration retryBackoff = DEFAULT_RETRY_BACKOFF;
        private Duration maxRetryBackoff = DEFAULT_MAX_RETRY_BACKOFF;
        private String basicAuthUserInfo;
        private Tls tls;
        private Duration latestTtl = DEFAULT_LATEST_TTL;

        private Builder() {
        }

        /**
         * Adds a base URL. Credentials in it ({@code http://user:password@host}) are taken out of the URL and
         * used for basic authentication unless {@link #basicAuth} is set.
         */
        public Builder url(String url) {
            return url(url, true);
        }

        /** Adds base URLs, each of which may also be a comma-separated list. */
        public Builder urls(String... urls) {
            for (String list : urls) {
                for (String url : list.split(",")) {
                    if (!url.isBlank()) {
                        url(url.trim());
                    }
                }
            }
            return this;
        }

        private Builder url(String url, boolean credentialsFromUrl) {
            URI uri;
            try {
                uri = new URI(url);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("not a URL: " + e.getMessage(), e);
            }
            if (uri.getRawUserInfo() != null) {
                if (credentialsFromUrl && basicAuthUserInfo == null) {
                    basicAuthUserInfo = URLDecoder.decode(uri.getRawUserInfo(), StandardCharsets.UTF_8);
                }
                try {
                    uri = new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null);
                } catch (URISyntaxException e) {
                    throw new IllegalArgumentException("not a URL: " + e.getMessage(), e);
                }
            }
            checkUrl(uri);
            urls.add(uri);
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
            return this;
        }

        public Builder retries(int retries) {
            this.retries = retries;
            return this;
        }

        public Builder retryBackoff(Duration retryBackoff) {
            this.retryBackoff = retryBackoff;
            return this;
        }

        public Builder maxRetryBackoff(Duration maxRetryBackoff) {
            this.maxRetryBackoff = maxRetryBackoff;
            return this;
        }

        /** HTTP basic authentication with {@code user:password}. */
        public Builder basicAuth(String userInfo) {
            this.basicAuthUserInfo = userInfo;
            return this;
        }

        public Builder basicAuth(String user, String password) {
            return basicAuth(user + ":" + password);
        }

        public Builder tls(Tls tls) {
            this.tls = tls;
            return this;
        }

        public Builder sslContext(SSLContext context) {
            return tls(Tls.of(context));
        }

        public Builder latestTtl(Duration latestTtl) {
            this.latestTtl = latestTtl;
            return this;
        }

        public RegistrySettings build() {
            return new RegistrySettings(urls, connectTimeout, requestTimeout, retries, retryBackoff, maxRetryBackoff,
                    basicAuthUserInfo, tls, latestTtl);
        }
    }

    /**
     * TLS for https registry URLs: a trust store (whom to trust; the JDK's default if null), a key store (our
     * client certificate, for mutual TLS; none if null), or a ready {@link SSLContext} that overrides both. A null
     * store type is the JDK default (PKCS12, which also reads JKS).
     */
    public record Tls(Path truststore, String truststorePassword, String truststoreType, Path keystore,
            String keystorePassword, String keystoreType, String keyPassword, SSLContext context) {

        public Tls {
            if (context == null && truststore == null && keystore == null) {
                throw new IllegalArgumentException("TLS needs a trust store, a key store or an SSLContext");
            }
        }

        public static Tls of(SSLContext context) {
            return new Tls(null, null, null, null, null, null, null, Objects.requireNonNull(context, "context"));
        }

        /** Trusts the certificates in {@code truststore} (PKCS12 or JKS). */
        public static Tls trustStore(Path truststore, String password) {
            return new Tls(truststore, password, null, null, null, null, null, null);
        }

        /** Also presents the client certificate in {@code keystore} (its key protected by the same password). */
        public Tls withKeyStore(Path keystore, String password) {
            return new Tls(truststore, truststorePassword, truststoreType, keystore, password, keystoreType,
                    keyPassword, context);
        }

        /** The context for the HTTP client: {@link #context()} if given, else one built from the stores. */
        public SSLContext sslContext() {
            if (context != null) {
                return context;
            }
            try {
                TrustManagerFactory tmf = null;
                if (truststore != null) {
                    tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                    tmf.init(load(truststore, truststorePassword, truststoreType, "trust store"));
                }
                KeyManagerFactory kmf = null;
                if (keystore != null) {
                    kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                    String password = keyPassword != null ? keyPassword : keystorePassword;
                    kmf.init(load(keystore, keystorePassword, keystoreType, "key store"),
                            password == null ? null : password.toCharArray());
                }
                SSLContext ssl = SSLContext.getInstance("TLS");
                ssl.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(),
                        null);
                return ssl;
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot set up TLS for the schema registry: " + e.getMessage(), e);
            }
        }

        private static KeyStore load(Path path, String password, String type, String what)
                throws GeneralSecurityException {
            KeyStore store = KeyStore.getInstance(
                    type == null || type.isBlank() ? KeyStore.getDefaultType() : type.toUpperCase(Locale.ROOT));
            try (InputStream in = Files.newInputStream(path)) {
                store.load(in, password == null ? null : password.toCharArray());
                return store;
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the schema registry TLS " + what + " " + path + ": "
                        + e.getMessage(), e);
            }
        }

        @Override
        public String toString() {
            return "Tls[truststore=" + truststore + ", truststorePassword=" + mask(truststorePassword)
                    + ", truststoreType=" + truststoreType + ", keystore=" + keystore + ", keystorePassword="
                    + mask(keystorePassword) + ", keystoreType=" + keystoreType + ", keyPassword=" + mask(keyPassword)
                    + (context == null ? "" : ", context=" + context.getProtocol()) + "]";
        }

        private static String mask(String secret) {
            return secret == null ? null : "****";
        }
    }
}
