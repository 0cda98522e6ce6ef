package io.tributary.registry.contract;

import io.tributary.registry.ApicurioRegistry;
import java.util.EnumSet;
import java.util.Set;

/**
 * The contract against Apicurio Registry 2.4.2's Confluent-compatible API ({@code /apis/ccompat/v7}): the JVM's
 * shared instance, started on first use and stopped when the test JVM exits.
 */
class ApicurioRegistryContractIT extends SchemaRegistryContract {

    @Override
    protected String baseUrl() {
        return ApicurioRegistry.shared().baseUrl();
    }

    /** As observed with 2.4.2.Final; {@link RegistryDeviation} says what each is. */
    @Override
    protected Set<RegistryDeviation> deviations() {
        return EnumSet.of(
                RegistryDeviation.VERSION_OF_UNKNOWN_SUBJECT_IS_VERSION_NOT_FOUND,
                RegistryDeviation.INCOMPATIBLE_WITHOUT_ERROR_CODE,
                RegistryDeviation.COMPATIBILITY_REASON_INSTEAD_OF_MESSAGES,
                RegistryDeviation.SUBJECT_WITHOUT_LEVEL_READS_NONE,
                RegistryDeviation.SUBJECT_LEVEL_NONE_FALLS_BACK_TO_GLOBAL,
                RegistryDeviation.GLOBAL_NONE_AGAIN_IS_NOT_FOUND,
                RegistryDeviation.SOFT_DELETED_SUBJECT_STAYS_READABLE,
                RegistryDeviation.SECOND_SOFT_DELETE_IS_BAD_REQUEST,
                RegistryDeviation.REREGISTERING_UNDER_SOFT_DELETED_SUBJECT_KEEPS_IT_DELETED,
                RegistryDeviation.PERMANENT_DELETE_WITHOUT_SOFT_DELETE);
    }
}
