package io.bulkhead.core.domains;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Immutable snapshot of one qube, taken under the model lock. Reference properties hold qube
 * names; effective values (defaults applied) are given.
 *
 * @param name               qube name
 * @param qid                qube id (0 for dom0)
 * @param uuid               qube UUID
 * @param klass              qube class
 * @param label              label name
 * @param powerState         power state at snapshot time
 * @param template           effective template (template-based classes)
 * @param netvm              effective netvm
 * @param providesNetwork    {@code provides_network}
 * @param templateForDispvms {@code template_for_dispvms}
 * @param defaultDispvm      effective {@code default_dispvm}
 * @param features           features (name to value)
 * @param tags               tags
 */
public record QubeInfo(
        String name,
        int qid,
        UUID uuid,
        QubeClass klass,
        String label,
        PowerState powerState,
        Optional<String> template,
        Optional<String> netvm,
        boolean providesNetwork,
        boolean templateForDispvms,
        Optional<String> defaultDispvm,
        Map<String, String> features,
        Set<String> tags) {

    public QubeInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(klass, "klass");
        features = Map.copyOf(features);
        tags = Set.copyOf(tags);
    }

    /** @return whether the feature is present with a non-empty value (Qubes truth) */
    public boolean featureEnabled(String feature) {
        String value = features.get(feature);
        return value != null && !value.isEmpty();
    }
}
