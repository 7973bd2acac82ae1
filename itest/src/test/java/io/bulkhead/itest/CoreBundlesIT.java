package io.bulkhead.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

/** The core bundles resolve and start on a real Felix, and every DS component in them is satisfied. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CoreBundlesIT {
    @Inject
    BundleContext context;

    @Inject
    ServiceComponentRuntime scr;

    @Configuration
    public Option[] config() {
        return new Option[] {Dom0Runtime.core(Dom0Runtime.freshDataDir())};
    }

    @Test
    public void coreBundlesAreActive() {
        for (String artifactId : Dom0Runtime.CORE_BUNDLES) {
            Bundle bundle = coreBundle(artifactId);
            assertEquals(artifactId + " is not ACTIVE", Bundle.ACTIVE, bundle.getState());
        }
    }

    @Test
    public void everyCoreComponentIsSatisfiedAndRegistersItsServices() {
        for (String artifactId : Dom0Runtime.CORE_BUNDLES) {
            Bundle bundle = coreBundle(artifactId);
            Collection<ComponentDescriptionDTO> descriptions = scr.getComponentDescriptionDTOs(bundle);
            assertFalse(artifactId + " declares no DS component", descriptions.isEmpty());
            List<String> problems = new ArrayList<>();
            for (ComponentDescriptionDTO description : descriptions) {
                if (!description.defaultEnabled) {
                    continue;
                }
                Collection<ComponentConfigurationDTO> configurations = scr.getComponentConfigurationDTOs(description);
                if (configurations.isEmpty() && !"require".equals(description.configurationPolicy)) {
                    problems.add(description.name + ": no configuration");
                }
                for (ComponentConfigurationDTO configuration : configurations) {
                    if (configuration.state == ComponentConfigurationDTO.UNSATISFIED_REFERENCE
                            || configuration.state == ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION
                            || configuration.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                        problems.add(description.name + ": state " + configuration.state + describe(configuration));
                    }
                }
            }
            if (!problems.isEmpty()) {
                fail(artifactId + " has components that did not come up: " + problems);
            }
            assertTrue(artifactId + " registers no service",
                    bundle.getRegisteredServices() != null && bundle.getRegisteredServices().length > 0);
        }
    }

    private static String describe(ComponentConfigurationDTO configuration) {
        StringBuilder text = new StringBuilder();
        for (UnsatisfiedReferenceDTO reference : configuration.unsatisfiedReferences) {
            text.append(" unsatisfied reference ").append(reference.name);
        }
        if (configuration.failure != null) {
            text.append(" failure ").append(configuration.failure);
        }
        return text.toString();
    }

    private Bundle coreBundle(String artifactId) {
        String symbolicName = "io.bulkhead." + artifactId;
        for (Bundle bundle : context.getBundles()) {
            if (symbolicName.equals(bundle.getSymbolicName())) {
                return bundle;
            }
        }
        assertNotNull(symbolicName + " is not installed", null);
        return null;
    }
}
