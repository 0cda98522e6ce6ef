package io.tributary.bridge;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** kafka-bridge is the Kafka side only: it never reaches into the network layer. */
class LayeringTest {

    private final JavaClasses bridge = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.tributary.bridge");

    @Test
    void noNetty() {
        noClasses().that().resideInAPackage("io.tributary.bridge..")
                .should().dependOnClassesThat().resideInAPackage("io.netty..")
                .because("kafka-bridge must stay free of Netty (see kafka-bridge/README.md)")
                .check(bridge);
    }
}
