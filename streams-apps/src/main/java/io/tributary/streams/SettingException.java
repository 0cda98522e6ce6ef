package io.tributary.streams;

/** A setting of a streams app is unknown, missing or invalid; the message names it. */
public final class SettingException extends RuntimeException {

    public SettingException(String message) {
        super(message);
    }

    public SettingException(String message, Throwable cause) {
        super(message, cause);
    }
}
