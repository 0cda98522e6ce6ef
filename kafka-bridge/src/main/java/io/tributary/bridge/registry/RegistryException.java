package io.tributary.bridge.registry;

import io.tributary.schemas.registry.CompatibilityLevel;
import java.util.List;

/** An error the registry answers with, as Confluent does: an HTTP status and {@code {error_code, message}}. */
public final class RegistryException extends RuntimeException {

    public static final int SUBJECT_NOT_FOUND = 40401;
    public static final int VERSION_NOT_FOUND = 40402;
    public static final int SCHEMA_NOT_FOUND = 40403;
    public static final int SUBJECT_SOFT_DELETED = 40404;
    public static final int SUBJECT_NOT_SOFT_DELETED = 40405;
    public static final int VERSION_SOFT_DELETED = 40406;
    public static final int VERSION_NOT_SOFT_DELETED = 40407;
    public static final int SUBJECT_LEVEL_NOT_CONFIGURED = 40408;
    public static final int INCOMPATIBLE_SCHEMA = 409;
    public static final int INVALID_SCHEMA = 42201;
    public static final int INVALID_VERSION = 42202;
    public static final int INVALID_COMPATIBILITY_LEVEL = 42203;
    public static final int STORE_ERROR = 50001;
    public static final int TIMEOUT = 50002;

    private final int status;
    private final int errorCode;

    public RegistryException(int status, int errorCode, String message) {
        this(status, errorCode, message, null);
    }

    public RegistryException(int status, int errorCode, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errorCode = errorCode;
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }

    /** Confluent's {@code error_code}. */
    public int errorCode() {
        return errorCode;
    }

    static RegistryException subjectNotFound(String subject) {
        return new RegistryException(404, SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
    }

    static RegistryException versionNotFound(int version) {
        return new RegistryException(404, VERSION_NOT_FOUND, "Version " + version + " not found.");
    }

    static RegistryException latestVersionNotFound(String subject) {
        return new RegistryException(404, VERSION_NOT_FOUND, "Subject '" + subject + "' has no version.");
    }

    static RegistryException schemaNotFound() {
        return new RegistryException(404, SCHEMA_NOT_FOUND, "Schema not found");
    }

    static RegistryException schemaNotFound(String id) {
        return new RegistryException(404, SCHEMA_NOT_FOUND, "Schema " + id + " not found");
    }

    static RegistryException invalidSchema(String why) {
        return new RegistryException(422, INVALID_SCHEMA, why);
    }

    static RegistryException invalidVersion(String version) {
        return new RegistryException(422, INVALID_VERSION, "The specified version '" + version + "' is not a valid"
                + " version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");
    }

    static RegistryException invalidCompatibilityLevel(String level) {
        return new RegistryException(422, INVALID_COMPATIBILITY_LEVEL, "Invalid compatibility level '" + level
                + "'. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and"
                + " full_transitive");
    }

    static RegistryException incompatible(String subject, List<String> messages) {
        return new RegistryException(409, INCOMPATIBLE_SCHEMA, "Schema being registered is incompatible with an"
                + " earlier schema for subject \"" + subject + "\", details: " + messages);
    }

    static RegistryException subjectSoftDeleted(String subject) {
        return new RegistryException(404, SUBJECT_SOFT_DELETED, "Subject '" + subject
                + "' was soft deleted. Set permanent=true to delete permanently");
    }

    static RegistryException subjectNotSoftDeleted(String subject) {
        return new RegistryException(404, SUBJECT_NOT_SOFT_DELETED, "Subject '" + subject
                + "' was not deleted first before being permanently deleted");
    }

    static RegistryException versionSoftDeleted(String subject, int version) {
        return new RegistryException(404, VERSION_SOFT_DELETED, "Subject '" + subject + "' Version " + version
                + " was soft deleted. Set permanent=true to delete permanently");
    }

    static RegistryException versionNotSoftDeleted(String subject, int version) {
        return new RegistryException(404, VERSION_NOT_SOFT_DELETED, "Subject '" + subject + "' Version " + version
                + " was not deleted first before being permanently deleted");
    }

    static RegistryException subjectLevelNotConfigured(String subject) {
        return new RegistryException(404, SUBJECT_LEVEL_NOT_CONFIGURED, "Subject '" + subject
                + "' does not have subject-level compatibility configured");
    }

    static RegistryException storeError(String message, Throwable cause) {
        return new RegistryException(500, STORE_ERROR, "Error in the backend data store: " + message, cause);
    }

    static RegistryException timeout(String message) {
        return new RegistryException(500, TIMEOUT, "Operation timed out: " + message);
    }
}
