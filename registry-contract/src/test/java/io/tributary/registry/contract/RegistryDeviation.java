package io.tributary.registry.contract;

/**
 * Where a registry's Confluent-compatible API knowingly answers otherwise than Confluent's Schema Registry does, in
 * a way the client passes on to its callers. The contract tests assert Confluent's behaviour; a registry that
 * declares a deviation gets the one assertion it names relaxed (to the behaviour described here, which is then
 * asserted instead, so that a registry upgrade that fixes it is noticed).
 *
 * <p>Everything here was observed with Apicurio Registry 2.4.2.Final ({@code /apis/ccompat/v7}, in-memory storage);
 * docs/schemas.md ("Contract tests") lists them with the requests and answers.
 */
public enum RegistryDeviation {

    /**
     * {@code GET /subjects/{unknown}/versions/latest} and {@code .../versions/{n}} answer 404 with error code 40402
     * ("No version 'latest' found for artifact ..."), not 40401 (subject not found). {@code isNotFound()} holds
     * either way.
     */
    VERSION_OF_UNKNOWN_SUBJECT_IS_VERSION_NOT_FOUND,

    /**
     * A registration that the compatibility level refuses is answered 409 with {@code "error_code":0}, not 409.
     * {@code isIncompatible()} (the status) holds either way.
     */
    INCOMPATIBLE_WITHOUT_ERROR_CODE,

    /**
     * {@code POST /compatibility/...?verbose=true} answers {@code {"is_compatible":false,"reason":"..."}}: one
     * {@code reason} string instead of Confluent's {@code messages} array, so {@code CompatibilityResult.messages()}
     * is empty.
     */
    COMPATIBILITY_REASON_INSTEAD_OF_MESSAGES,

    /**
     * {@code GET /config/{subject}} of a subject that has versions but no level of its own answers 200
     * {@code {"compatibilityLevel":"NONE"}}, whatever the global level (which is the one registrations are checked
     * against), not 404 with error code 40408; so {@code subjectCompatibility(subject)} is {@code NONE}, not empty.
     * (A subject without versions or level is 404 40401, which the client also reads as empty.)
     */
    SUBJECT_WITHOUT_LEVEL_READS_NONE,

    /**
     * A subject's level NONE is not a level but the absence of one: {@code PUT /config/{subject}}
     * {@code {"compatibility":"NONE"}} removes the subject's own level (and answers 404 with error code 40401 if the
     * subject has neither versions nor a level), so the global level applies to it again: with the global level
     * BACKWARD, a subject set to NONE still refuses a BACKWARD-incompatible schema. In Confluent, NONE is the
     * subject's level like any other and switches the checks off whatever the global level. (Other levels of a
     * subject do override the global one.)
     */
    SUBJECT_LEVEL_NONE_FALLS_BACK_TO_GLOBAL,

    /**
     * Setting the global level NONE when it is NONE already (as after the start) is answered 404
     * {@code {"error_code":0,"message":"No rule named 'COMPATIBILITY' was found."}}: NONE removes the global rule,
     * and there is none to remove. Confluent answers 200 whatever the level was.
     */
    GLOBAL_NONE_AGAIN_IS_NOT_FOUND,

    /**
     * A soft-deleted subject leaves {@code GET /subjects} but stays readable: {@code GET .../versions} lists the
     * deleted versions, {@code GET .../versions/{n}} and {@code .../versions/latest} answer 200 (latest with
     * version 1 in 2.4.2, not the last one), and {@code POST /subjects/{subject}} (lookup) finds its schemas.
     * Confluent answers all of these 404 with error code 40401.
     */
    SOFT_DELETED_SUBJECT_STAYS_READABLE,

    /**
     * Soft-deleting a subject a second time is answered 400 {@code {"error_code":0,"message":"Cannot transition
     * artifact from DISABLED to DISABLED"}}, not 404 with error code 40404 (subject was soft deleted).
     */
    SECOND_SOFT_DELETE_IS_BAD_REQUEST,

    /**
     * Registering, under a soft-deleted subject, a schema it had answers 200 with that schema's id but adds no
     * version and leaves the subject deleted; Confluent adds a new version after the deleted ones and the subject is
     * live again. (A schema the subject did not have does add a version and revives it, in both.)
     */
    REREGISTERING_UNDER_SOFT_DELETED_SUBJECT_KEEPS_IT_DELETED,

    /**
     * {@code DELETE /subjects/{subject}?permanent=true} of a subject that was not soft-deleted first deletes it
     * (200, the versions); Confluent refuses with 404 and error code 40405.
     */
    PERMANENT_DELETE_WITHOUT_SOFT_DELETE
}
