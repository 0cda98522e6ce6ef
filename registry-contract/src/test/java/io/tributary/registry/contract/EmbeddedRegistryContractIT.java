package io.tributary.registry.contract;

import io.tributary.bridge.registry.EmbeddedSchemaRegistry;
import io.tributary.bridge.registry.SchemaRegistrySettings;
import io.tributary.bridge.testing.SharedKafka;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The contract against Tributary's in-process registry, on the shared Kafka, with a schemas topic of its own. */
class EmbeddedRegistryContractIT extends SchemaRegistryContract {

    private static EmbeddedSchemaRegistry registry;

    @BeforeAll
    static void startRegistry() {
        registry = new EmbeddedSchemaRegistry(SchemaRegistrySettings.defaults(SharedKafka.bootstrapServers())
                .withPort(0)
                .withTopic("_schemas-contract-" + UUID.randomUUID()))
                .start();
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Override
    protected String baseUrl() {
        return registry.url();
    }
}
