package io.bulkhead.qvm.internal.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.bulkhead.qvm.client.QubesCallException;
import io.bulkhead.qvm.internal.AdminSession;
import io.bulkhead.qvm.internal.PropertyValue;
import io.bulkhead.qvm.internal.QvmTool;

/**
 * Qubes' client-side {@code clone_vm}: create the new qube, copy the non-default properties, the tags (but
 * {@code created-by-*}) and the features, then the persistent volumes' data ({@code admin.vm.volume.CloneFrom} /
 * {@code CloneTo}). On failure the half-made qube is removed. Notes, firewall rules, device assignments and app
 * menus are not copied: Bulkhead's Admin API has no methods for them yet.
 */
final class Cloner {
    /** Set by the create call itself. */
    private static final List<String> NOT_COPIED = List.of("name", "qid", "template", "label", "uuid", "installed_by_rpm");

    private final QvmTool tool;
    private final AdminSession app;

    Cloner(QvmTool tool) {
        this.tool = tool;
        this.app = tool.app();
    }

    static String createMethod(String klass, String pool, Map<String, String> pools) {
        return (pool.isEmpty() && pools.isEmpty() ? "admin.vm.Create." : "admin.vm.CreateInPool.") + klass;
    }

    /** {@code name=N label=L} plus {@code pool=P} or {@code pool:VOLUME=P} items sorted by volume. */
    static String createPayload(String name, String label, String pool, Map<String, String> pools) {
        StringBuilder payload = new StringBuilder("name=").append(name).append(" label=").append(label);
        if (!pool.isEmpty()) {
            payload.append(" pool=").append(pool);
        }
        new TreeMap<>(pools).forEach((volume, volumePool) -> payload.append(" pool:").append(volume).append('=').append(volumePool));
        return payload.toString();
    }

    /**
     * @param klass         class of the new qube; {@code null}: the source's
     * @param ignoreErrors  log metadata errors and go on (volume errors still abort)
     * @param ignoreVolumes volumes whose data is not copied
     * @throws QubesCallException what failed; the new qube is removed first
     */
    void cloneQube(String source, String newName, String klass, String pool, Map<String, String> pools, boolean ignoreErrors,
            List<String> ignoreVolumes) {
        if (!pool.isEmpty() && !pools.isEmpty()) {
            throw new QubesCallException("QubesValueError", "only one of pool= and pools= can be used");
        }
        String cls = klass != null ? klass : tool.domain(source).klass();
        Map<String, PropertyValue> sourceProps = app.properties(source);
        String template = Optional.ofNullable(sourceProps.get("template")).filter(v -> !v.none()).map(PropertyValue::value).orElse(null);
        String label = Optional.ofNullable(sourceProps.get("label")).map(PropertyValue::value).orElse("");
        Map<String, String> volumePools = new TreeMap<>(pools);
        if (pool.isEmpty() && pools.isEmpty()) {
            keepNonDefaultPools(source, ignoreVolumes, volumePools);
        }
        app.call("dom0", createMethod(cls, pool, volumePools), template, createPayload(newName, label, pool, volumePools));
        app.forgetQubes();
        try {
            copyMetadata(source, newName, sourceProps, ignoreErrors);
        } catch (QubesCallException e) {
            throw removeAfter(newName, e);
        }
        try {
            copyVolumes(source, newName, ignoreVolumes);
        } catch (QubesCallException e) {
            if ("ProtocolError".equals(e.qubesClass()) && String.valueOf(e.getMessage()).contains("no such method")) {
                e = new QubesCallException("QubesNotImplementedError", "cannot copy the volumes of '" + source
                        + "': this dom0 does not support cloning volume data yet (admin.vm.volume.CloneFrom/CloneTo); '"
                        + newName + "' was removed again");
            }
            throw removeAfter(newName, e);
        }
    }

    /** A source volume in a pool other than the default for that volume keeps its pool in the clone. */
    private void keepNonDefaultPools(String source, List<String> ignoreVolumes, Map<String, String> volumePools) {
        List<String> volumes = new ArrayList<>(app.volumes(source));
        volumes.sort(null);
        for (String volume : volumes) {
            Map<String, String> info = app.volumeInfo(source, volume);
            if ("True".equals(info.get("snap_on_start")) || !"True".equals(info.get("rw")) || ignoreVolumes.contains(volume)) {
                continue;
            }
            String volumePool = info.getOrDefault("pool", "");
            String defaultPool = Optional.ofNullable(app.globalProperties().get("default_pool_" + volume))
                    .map(PropertyValue::value).orElse(volumePool);
            if (!defaultPool.equals(volumePool)) {
                volumePools.put(volume, volumePool);
            }
        }
    }

    private void copyMetadata(String source, String target, Map<String, PropertyValue> sourceProps, boolean ignoreErrors) {
        for (Map.Entry<String, PropertyValue> property : sourceProps.entrySet()) {
            PropertyValue value = property.getValue();
            if (NOT_COPIED.contains(property.getKey()) || value.isDefault() || value.unset()) {
                continue;
            }
            attempt(ignoreErrors, target, "Failed to set " + property.getKey() + " property: ",
                    () -> app.call(target, "admin.vm.property.Set", property.getKey(), value.value()));
        }
        for (String tag : app.tags(source)) {
            if (!tag.startsWith("created-by-")) {
                attempt(ignoreErrors, target, "Failed to add " + tag + " tag: ", () -> app.call(target, "admin.vm.tag.Set", tag));
            }
        }
        for (String feature : AdminSession.lines(app.call(source, "admin.vm.feature.List"))) {
            if (feature.startsWith("preload-dispvm") && !feature.equals("preload-dispvm-max")) {
                continue;
            }
            String value = app.call(source, "admin.vm.feature.Get", feature);
            attempt(ignoreErrors, target, "Failed to set " + feature + " feature: ",
                    () -> app.call(target, "admin.vm.feature.Set", feature, value));
        }
    }

    private void attempt(boolean ignoreErrors, String target, String what, Runnable call) {
        try {
            call.run();
        } catch (QubesCallException e) {
            tool.log(true, target, what + e.getMessage());
            if (!ignoreErrors) {
                throw e;
            }
        }
    }

    /** The persistent (save_on_stop) volumes: data copied through a clone token. */
    private void copyVolumes(String source, String target, List<String> ignoreVolumes) {
        List<String> volumes = new ArrayList<>(app.volumes(target));
        volumes.sort(null);
        for (String volume : volumes) {
            if (!"True".equals(app.volumeInfo(target, volume).get("save_on_stop")) || ignoreVolumes.contains(volume)) {
                continue;
            }
            tool.log(false, target, "Cloning " + volume + " volume");
            String token = app.call(source, "admin.vm.volume.CloneFrom", volume);
            app.call(target, "admin.vm.volume.CloneTo", volume, token);
        }
    }

    private QubesCallException removeAfter(String newName, QubesCallException cause) {
        try {
            app.call(newName, "admin.vm.Remove");
        } catch (QubesCallException removal) {
            return new QubesCallException(cause.qubesClass(), cause.getMessage() + " (and removing the half-made qube '"
                    + newName + "' failed: " + removal.getMessage() + ")");
        } finally {
            app.forgetQubes();
        }
        return cause;
    }
}
