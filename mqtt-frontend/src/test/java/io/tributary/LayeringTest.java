package io.tributary;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The protocol layer reaches Kafka only through kafka-bridge's interfaces (STYLE.md). */
class LayeringTest {

    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.tributary");

    @Test
    void protocolLayerDoesNotUseKafkaClassesDirectly() {
        noClasses().that().resideInAPackage("io.tributary.mqtt..")
                .should().dependOnClassesThat().resideInAPackage("org.apache.kafka..")
                .check(classes);
    }

    @Test
    void protocolLayerUsesOnlyTheBridgeInterfaces() {
        noClasses().that().resideInAPackage("io.tributary.mqtt..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.tributary.bridge.kafka..", "io.tributary.bridge.admin..")
                .check(classes);
    }
}
