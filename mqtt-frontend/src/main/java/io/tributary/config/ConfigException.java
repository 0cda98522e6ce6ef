package io.tributary.config;

/**
 * The configuration cannot be used: an unknown or invalid setting, an unreadable file or a bad command line.
 * The message is complete and meant for the operator as it is; it names the setting by its dotted path and
 * the source it came from (file, environment variable or flag), e.g.
 * {@code invalid configuration: mqtt.port: 70000 is out of range 0..65535 (from environment TRIBUTARY_MQTT_PORT)}.
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }

    /** {@code invalid configuration: <detail>}. */
    static ConfigException invalid(String detail) {
        return new ConfigException("invalid configuration: " + detail);
    }
}
