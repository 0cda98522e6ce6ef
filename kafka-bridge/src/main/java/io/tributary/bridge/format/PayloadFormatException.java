package io.tributary.bridge.format;

/** A payload that does not fit its schema; the message names the place, e.g. {@code $.env.humidity: ...}. */
public final class PayloadFormatException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public PayloadFormatException(String message) {
        super(message);
    }
}
