package io.tributary.registry.apicurio;

import io.apicurio.common.apps.config.DynamicConfigPropertyList;

import java.util.ArrayList;
import javax.enterprise.inject.Produces;
import javax.inject.Singleton;

/**
 * Part of the packaged registry, not of the launcher. Apicurio's build generates this list with
 * {@code apicurio-common-app-components-config-index}, which is not on Maven Central: without a bean the
 * application does not start. An empty list means no property can be changed at run time through the admin API,
 * which tests do not use.
 */
public class EmptyDynamicConfigPropertyList {

    @Produces
    @Singleton
    DynamicConfigPropertyList dynamicConfigPropertyList() {
        return new DynamicConfigPropertyList(new ArrayList<>());
    }
}
