package io.tributary.schemas.registry;

/**
 * A request to the schema registry failed: the registry answered with an error ({@link #status()} is the HTTP
 * status, {@link #errorCode()} the registry's {@code error_code}), or it could not be reached ({@link #status()} is
 * {@link #NO_STATUS}).
 */
public class SchemaRegistryException extends RuntimeException {

    /** The status of a request that got no answer. */
    public static final int NO_STATUS = -1;
    /** The error code when the registry gave none. */
    public static final int NO_ERROR_CODE = -1;

    /** Confluent's error codes that callers commonly test for. */
    public static final int SUBJECT_NOT_FOUND = 40401;
    public static final int VERSION_NOT_FOUND = 40402;
    public static final int SCHEMA_NOT_FOUND = 40403;
    public static final int SUBJECT_SOFT_DELETED = 40404;
    public static final int SUBJECT_NOT_SOFT_DELETED = 40405;
    public static final int SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED = 40408;
    public static final int INCOMPATIBLE_SCHEMA = 409;
    public static final int INVALID_SCHEMA = 42201;
    public static final int INVALID_VERSION = 42202;
    public static final int INVALID_COMPATIBILITY_LEVEL = 42203;

    private final int status;
    private final int errorCode;
    private final String registryMessage;

    public SchemaRegistryException(String message, int status, int errorCode, String registryMessage,
            Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errorCode = errorCode;
        this.registryMessage = registryMessage;
    }

    public SchemaRegistryException(String message, int status, int errorCode, String registryMessage) {
        this(message, status, errorCode, registryMessage, null);
    }

    /** The registry could not be reached at all (connection refused, timed out, interrupted). */
    public static SchemaRegistryException unreachable(String message, Throwable cause) {
        return new SchemaRegistryException(message, NO_STATUS, NO_ERROR_CODE, null, cause);
    }

    /** The HTTP status of the answer, or {@link #NO_STATUS} if there was none. */
    public int status() {
        return status;
    }

    /** The registry's {@code error_code} (e.g. 40401), or {@link #NO_ERROR_CODE}. */
    public int errorCode() {
        return errorCode;
    }

    /** The registry's own {@code message}, or null. */
    public String registryMessage() {
        return registryMessage;
    }

    /** Whether the registry answered at all. */
    public boolean isUnreachable() {
        return status == NO_STATUS;
    }

    /** HTTP 404: no such subject, version or schema. */
    public boolean isNotFound() {
        return status == 404;
    }

    /** HTTP 409: the schema is incompatible with the subject's earlier versions. */
    public boolean isIncompatible() {
        return status == 409;
    }

    /** HTTP 422: the registry judged the schema (or version, or level) invalid. */
    public boolean isInvalid() {
        return status == 422;
    }
}
