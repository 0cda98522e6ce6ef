package io.tributary.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class RegistrySettingsTest {

    @Test
    void defaults() {
        RegistrySettings settings = RegistrySettings.of("http://registry:8081");

        assertThat(settings.urls()).containsExactly(URI.create("http://registry:8081"));
        assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.retries()).isEqualTo(3);
        assertThat(settings.retryBackoff()).isEqualTo(Duration.ofMillis(200));
        assertThat(settings.maxRetryBackoff()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.latestTtl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.basicAuthUserInfo()).isNull();
        assertThat(settings.sslContext()).isNull();
    }

    @Test
    void basePathsAreKeptAndTrailingSlashesDropped() {
        RegistrySettings settings = RegistrySettings.of("http://a:8080/apis/ccompat/v7/, https://b/registry");

        assertThat(settings.bases()).containsExactly("http://a:8080/apis/ccompat/v7", "https://b/registry");
    }

    @Test
    void credentialsInTheUrlBecomeBasicAuthAndLeaveTheUrl() {
        RegistrySettings settings = RegistrySettings.of("https://fred:s%3Acret@registry:8081/x");

        assertThat(settings.urls()).containsExactly(URI.create("https://registry:8081/x"));
        assertThat(settings.basicAuthUserInfo()).isEqualTo("fred:s:cret");
    }

    @Test
    void toStringMasksSecrets() {
        RegistrySettings settings = RegistrySettings.builder().url("http://r:8081").basicAuth("fred", "hunter2")
                .tls(RegistrySettings.Tls.trustStore(Path.of("/etc/trust.p12"), "trustpw")
                        .withKeyStore(Path.of("/etc/key.p12"), "keypw"))
                .build();

        assertThat(settings.toString())
                .contains("fred:****", "/etc/trust.p12", "/etc/key.p12")
                .doesNotContain("hunter2", "trustpw", "keypw");
    }

    @Test
    void fromConfigReadsConfluentsKeys() {
        RegistrySettings settings = RegistrySettings.fromConfig(Map.ofEntries(
                Map.entry("schema.registry.url", "http://a:8081,http://b:8081"),
                Map.entry("basic.auth.credentials.source", "USER_INFO"),
                Map.entry("basic.auth.user.info", "svc:pw"),
                Map.entry("http.connect.timeout.ms", "1500"),
                Map.entry("http.read.timeout.ms", 2500),
                Map.entry("max.retries", "5"),
                Map.entry("retries.wait.ms", "10"),
                Map.entry("retries.max.wait.ms", "100"),
                Map.entry("latest.cache.ttl.sec", "-1"),
                Map.entry("schema.registry.ssl.truststore.location", "/etc/trust.jks"),
                Map.entry("schema.registry.ssl.truststore.password", "tpw"),
                Map.entry("schema.registry.ssl.truststore.type", "JKS"),
                Map.entry("bootstrap.servers", "ignored:9092")));

        assertThat(settings.urls()).containsExactly(URI.create("http://a:8081"), URI.create("http://b:8081"));
        assertThat(settings.basicAuthUserInfo()).isEqualTo("svc:pw");
        assertThat(settings.connectTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(settings.requestTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(settings.retries()).isEqualTo(5);
        assertThat(settings.retryBackoff()).isEqualTo(Duration.ofMillis(10));
        assertThat(settings.maxRetryBackoff()).isEqualTo(Duration.ofMillis(100));
        assertThat(settings.latestTtl()).isEqualTo(RegistrySettings.FOREVER);
        assertThat(settings.tls().truststore()).isEqualTo(Path.of("/etc/trust.jks"));
        assertThat(settings.tls().truststoreType()).isEqualTo("JKS");
        assertThat(settings.tls().keystore()).isNull();
    }

    @Test
    void fromConfigTakesAListOfUrlsAndThePrefixedUserInfo() {
        RegistrySettings settings = RegistrySettings.fromConfig(Map.of(
                "schema.registry.url", List.of("http://a:1", "http://b:2"),
                "schema.registry.basic.auth.user.info", "u:p"));

        assertThat(settings.urls()).hasSize(2);
        assertThat(settings.basicAuthUserInfo()).isEqualTo("u:p");
    }

    @Test
    void credentialsSourceUrlIgnoresUserInfoAndUserInfoIgnoresTheUrl() {
        assertThat(RegistrySettings.fromConfig(Map.of("schema.registry.url", "http://x:y@a:1",
                "basic.auth.credentials.source", "URL", "basic.auth.user.info", "u:p")).basicAuthUserInfo())
                .isEqualTo("x:y");
        assertThat(RegistrySettings.fromConfig(Map.of("schema.registry.url", "http://x:y@a:1",
                "basic.auth.credentials.source", "USER_INFO", "basic.auth.user.info", "u:p")).basicAuthUserInfo())
                .isEqualTo("u:p");
        assertThat(RegistrySettings.fromConfig(Map.of("schema.registry.url", "http://x:y@a:1"))
                .basicAuthUserInfo()).isEqualTo("x:y");
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> RegistrySettings.fromConfig(Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.url is required");
        assertThatThrownBy(() -> RegistrySettings.fromConfig(Map.of("schema.registry.url", "ftp://x")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.url")
                .hasMessageContaining("http or https");
        assertThatThrownBy(() -> RegistrySettings.fromConfig(Map.of("schema.registry.url", "http://x",
                "max.retries", "lots")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("max.retries");
        assertThatThrownBy(() -> RegistrySettings.fromConfig(Map.of("schema.registry.url", "http://x",
                "basic.auth.credentials.source", "SASL_INHERIT")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("basic.auth.credentials.source");
        assertThatThrownBy(() -> RegistrySettings.fromConfig(Map.of("schema.registry.url", "http://x",
                "basic.auth.credentials.source", "USER_INFO")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("basic.auth.user.info is required");
        assertThatThrownBy(() -> RegistrySettings.fromConfig(Map.of("schema.registry.url", "http://x",
                "basic.auth.user.info", "no-colon")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("basic.auth.user.info")
                .hasMessageNotContaining("no-colon");
    }

    @Test
    void invalidSettingsAreRefused() {
        assertThatThrownBy(() -> RegistrySettings.builder().build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one");
        assertThatThrownBy(() -> RegistrySettings.builder().url("http://x").retries(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retries");
        assertThatThrownBy(() -> RegistrySettings.builder().url("http://x?a=b").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("query");
        assertThatThrownBy(() -> RegistrySettings.builder().url("http://x").requestTimeout(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("requestTimeout");
    }

    @Test
    void aMissingTrustStoreIsReportedWithItsPath() {
        RegistrySettings settings = RegistrySettings.builder().url("https://x")
                .tls(RegistrySettings.Tls.trustStore(Path.of("/nonexistent/trust.p12"), "pw")).build();

        assertThatThrownBy(settings::sslContext)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/nonexistent/trust.p12");
    }
}
