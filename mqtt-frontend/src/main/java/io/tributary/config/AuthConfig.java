package io.tributary.config;

import java.nio.file.Path;

/**
 * Who may connect (section {@code auth}).
 *
 * @param allowAnonymous whether clients without a user name may connect
 * @param passwordFile   a mosquitto_passwd-format file; when set, clients must authenticate; null when not set
 */
public record AuthConfig(boolean allowAnonymous, Path passwordFile) {
}
