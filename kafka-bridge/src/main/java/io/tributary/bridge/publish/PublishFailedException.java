package io.tributary.bridge.publish;

/**
 * Kafka did not take a message. The stage returned by {@link MessagePublisher#publish} fails with this
 * (possibly wrapped in a {@link java.util.concurrent.CompletionException}), so the protocol layer can decide
 * without knowing Kafka's exception types.
 */
public final class PublishFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final boolean transientFailure;

    /**
     * @param transientFailure true when a later attempt may succeed (Kafka unreachable, timed out, not enough
     *                         replicas); false when the message itself was refused (too large, not authorized, ...)
     */
    public PublishFailedException(String message, boolean transientFailure, Throwable cause) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    public boolean transientFailure() {
        return transientFailure;
    }

    /** Unwraps {@link java.util.concurrent.CompletionException}s to find the failure; null if it is not one. */
    public static PublishFailedException find(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof PublishFailedException p) {
                return p;
            }
        }
        return null;
    }
}
