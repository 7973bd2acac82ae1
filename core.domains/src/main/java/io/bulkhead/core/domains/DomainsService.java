package io.bulkhead.core.domains;

import io.bulkhead.core.domains.storage.VolumeInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The qube model service (Qubes' {@code qubes.app.Qubes}). One instance per dom0, registered as a
 * DS service by core.domains. Every mutating call is persisted to the store before it returns and
 * fires its events (pre-events may veto, see {@link io.bulkhead.core.domains.event}).
 *
 * <p>Qubes are addressed by name or by {@code uuid:<uuid>}. Unknown qubes give
 * {@link QubesVMNotFoundError}; invalid input gives {@link QubesValueError} (or a subclass) with
 * a message naming the problem. Property values use the Admin API serialised form (see
 * {@link PropertyValue}); {@code ""} sets a qube-reference property to None.
 *
 * <p>Thread safe: calls are serialised by one reentrant model lock; event listeners run in the
 * calling thread and may call back into this service. Start/shutdown wait for the hypervisor
 * without holding the model lock.
 */
public interface DomainsService {

    // ---- qubes ---------------------------------------------------------------------------

    /** @return snapshot of every qube, dom0 first, then by qid */
    List<QubeInfo> list();

    /** @return snapshot of one qube */
    QubeInfo get(String qube);

    /** @return snapshot of one qube, empty if there is none of that name/uuid */
    Optional<QubeInfo> find(String qube);

    /** @return qube class names that {@link #create} accepts ({@code admin.vmclass.List}) */
    List<String> qubeClasses();

    /**
     * Creates a qube ({@code admin.vm.Create.<class>}) and its volumes, fires {@code domain-add}.
     *
     * @param klass      class; not {@link QubeClass#ADMIN_VM}
     * @param name       qube name ({@link io.bulkhead.core.domains.QubeNames#validate rules})
     * @param label      label name (required)
     * @param properties more properties to set, in the order given (e.g. {@code template},
     *                   {@code netvm}); AppVM without {@code template} gets global
     *                   {@code default_template}, DispVM gets {@code default_dispvm}
     * @return snapshot of the new qube
     */
    QubeInfo create(QubeClass klass, String name, String label, Map<String, String> properties);

    /**
     * Creates a disposable ({@code admin.vm.CreateDisposable}): DispVM named {@code disp<dispid>}
     * based on {@code dispTemplate} (an AppVM with {@code template_for_dispvms}), with
     * {@code auto_cleanup=True}: it is removed when it stops. Not started.
     */
    QubeInfo createDisposable(String dispTemplate);

    /**
     * Removes a halted qube and its volumes ({@code admin.vm.Remove}). Refuses with
     * {@link QubesVMInUseError} listing every user (other qubes' non-default template / netvm /
     * default_dispvm / management_dispvm / guivm / audiovm, global properties).
     */
    void remove(String qube);

    // ---- qube properties ------------------------------------------------------------------

    /** @return property names of that qube's class, sorted */
    List<String> propertyNames(String qube);

    /** @return static description of a property of that qube */
    PropertyInfo propertyInfo(String qube, String property);

    /** @return the effective value (stored, else computed default) */
    PropertyValue getProperty(String qube, String property);

    /**
     * @return every property of the qube with its effective value, sorted by name, read at one
     *         moment ({@code admin.vm.property.GetAll})
     */
    default List<PropertyValue> getProperties(String qube) {
        return propertyNames(qube).stream().map(name -> getProperty(qube, name)).toList();
    }

    /** @return what the value would be after a reset; empty when the property has no default */
    Optional<PropertyValue> getPropertyDefault(String qube, String property);

    /** Sets a property; fires {@code property-pre-set:NAME} (may veto) and {@code property-set:NAME}. */
    void setProperty(String qube, String property, String value);

    /** Deletes the stored value so the default applies; fires {@code property-pre-reset:NAME}/{@code property-reset:NAME}. */
    void resetProperty(String qube, String property);

    /** @return documentation of the property */
    String propertyHelp(String qube, String property);

    // ---- global properties ----------------------------------------------------------------

    /** @return global property names, sorted */
    List<String> globalPropertyNames();

    /** @return static description of a global property */
    PropertyInfo globalPropertyInfo(String property);

    /** @return effective global value */
    PropertyValue getGlobalProperty(String property);

    /** @return value after reset, empty when there is no default */
    Optional<PropertyValue> getGlobalPropertyDefault(String property);

    /** Sets a global property; events have no subject qube. */
    void setGlobalProperty(String property, String value);

    /** Resets a global property. */
    void resetGlobalProperty(String property);

    /** @return documentation of the global property */
    String globalPropertyHelp(String property);

    // ---- features -------------------------------------------------------------------------

    /** @return features of the qube, sorted by name */
    Map<String, String> features(String qube);

    /** @return value of one feature; throws {@link QubesFeatureNotFoundError} if absent */
    String feature(String qube, String feature);

    /** Sets a feature (value: printable ASCII, empty allowed = false). */
    void setFeature(String qube, String feature, String value);

    /** Removes a feature; throws {@link QubesFeatureNotFoundError} if absent. */
    void removeFeature(String qube, String feature);

    /** Looks the feature up on the qube, then along its template chain. */
    String featureCheckWithTemplate(String qube, String feature);

    /** Looks the feature up on the qube, then along its netvm chain. */
    String featureCheckWithNetvm(String qube, String feature);

    /** Looks the feature up on the qube, then on dom0. */
    String featureCheckWithAdminVM(String qube, String feature);

    /** Looks the feature up on the qube, its template chain, then dom0. */
    String featureCheckWithTemplateAndAdminVM(String qube, String feature);

    // ---- tags -----------------------------------------------------------------------------

    /** @return tags of the qube, sorted */
    Set<String> tags(String qube);

    /** Adds a tag ({@code [A-Za-z0-9_-]+}); no-op if present. Fires {@code domain-tag-add:TAG}. */
    void addTag(String qube, String tag);

    /** Removes a tag; throws {@link QubesTagNotFoundError} if absent. Fires {@code domain-tag-delete:TAG}. */
    void removeTag(String qube, String tag);

    // ---- labels ---------------------------------------------------------------------------

    /** @return every label, by index */
    List<Label> labels();

    /** @return label by name; {@link QubesLabelNotFoundError} if none */
    Label label(String name);

    /** Creates a custom label with colour {@code 0xRRGGBB}. */
    Label createLabel(String name, String color);

    /** Removes a custom label not used by any qube. */
    void removeLabel(String name);

    // ---- power ----------------------------------------------------------------------------

    /** @return current power state */
    PowerState powerState(String qube);

    /**
     * Starts a halted qube: its netvm chain first, storage, hypervisor backend, then waits up to
     * {@code qrexec_timeout} for the qrexec agent (if an {@link AgentReadiness} service is present
     * and the qube has feature {@code qrexec}); on timeout kills it and throws. No-op when not halted.
     */
    void start(String qube);

    /**
     * Graceful shutdown. Refuses when the qube provides network to running qubes unless
     * {@code force}. With {@code wait}, waits up to {@code timeout} (null: the qube's
     * {@code shutdown_timeout}) and throws {@link QubesVMShutdownTimeoutError} if still running.
     */
    void shutdown(String qube, boolean force, boolean wait, Duration timeout);

    /** Destroys the qube immediately; {@link QubesVMNotStartedError} if halted. */
    void kill(String qube);

    /** Pauses a running qube. */
    void pause(String qube);

    /** Resumes a paused qube. */
    void unpause(String qube);

    // ---- hypervisor backend -----------------------------------------------------------------

    /** @return the selected backend, whether it is available, and every registered backend */
    HypervisorStatus hypervisorStatus();

    /**
     * Switches to the backend with service property {@code hypervisor=id}, without restarting
     * anything. The backend need not be registered yet (qubes start once it is). While any qube
     * runs (or is starting, paused, halting) the switch is refused with a {@link QubesException}
     * listing them, unless {@code force}: then they are shut down first (killed when they do not
     * stop within their {@code shutdown_timeout}). A no-op when {@code id} is already selected.
     *
     * @throws QubesValueError for an id that is not {@code [a-z0-9][a-z0-9._-]*}
     */
    void selectHypervisor(String id, boolean force);

    // ---- volumes --------------------------------------------------------------------------

    /** @return volume names of the qube ({@code root}, {@code private}, {@code volatile}, {@code kernel}) */
    List<String> volumeNames(String qube);

    /** @return configuration and state of one volume ({@code admin.vm.volume.Info}) */
    VolumeInfo volumeInfo(String qube, String volume);

    /** @return revision ids of a volume, oldest first */
    List<String> volumeRevisions(String qube, String volume);

    /** Reverts a volume of a halted qube to a revision. */
    void revertVolume(String qube, String volume, String revision);

    /** Sets {@code revisions_to_keep} of a volume (&ge; -1). */
    void setVolumeRevisionsToKeep(String qube, String volume, int revisionsToKeep);

    /** Sets {@code rw} of a volume of a halted qube ({@code admin.vm.volume.Set.rw}). */
    void setVolumeRw(String qube, String volume, boolean rw);

    /**
     * Sets {@code ephemeral} of a volume of a halted qube ({@code admin.vm.volume.Set.ephemeral});
     * {@link QubesValueError} when its pool's driver cannot encrypt volatile data with a throw-away key.
     */
    void setVolumeEphemeral(String qube, String volume, boolean ephemeral);

    /** Replaces the content of a persistent volume of a halted qube with zeros, keeping its size ({@code admin.vm.volume.Clear}). */
    void clearVolume(String qube, String volume);

    /**
     * Replaces the content of a persistent volume ({@code root} of a template or standalone,
     * {@code private}) of a halted qube with a copy of the file {@code source}, as Qubes'
     * {@code admin.vm.volume.Import}; the volume grows to the file's size if that is larger.
     */
    void importVolume(String qube, String volume, Path source);

    /**
     * Copies the committed content of a persistent volume into a persistent volume of a halted
     * qube ({@code admin.vm.volume.CloneFrom}/{@code CloneTo}); the target grows if needed.
     */
    void cloneVolume(String sourceQube, String sourceVolume, String targetQube, String targetVolume);

    /** Grows a volume to {@code size} bytes (shrinking is refused). */
    void resizeVolume(String qube, String volume, long size);

    /** @return names of configured storage pools */
    List<String> pools();

    /** @return available pool drivers with the parameters each accepts ({@code admin.pool.ListDrivers}) */
    Map<String, Set<String>> poolDrivers();

    /** @return configuration of a pool: {@code name}, {@code driver} and the driver parameters, sorted */
    Map<String, String> poolInfo(String pool);

    /** Adds a pool ({@code admin.pool.Add}); the driver validates the parameters. */
    void addPool(String name, String driver, Map<String, String> parameters);

    /**
     * Changes one driver parameter of a pool ({@code admin.pool.Set.revisions_to_keep},
     * {@code admin.pool.Set.ephemeral_volatile}); the driver validates the new configuration.
     */
    void setPoolParameter(String pool, String parameter, String value);

    /** Removes a pool; {@link QubesPoolInUseError} listing volumes and global defaults that use it. */
    void removePool(String name);

    // ---- device assignments ---------------------------------------------------------------

    /** @return persistent assignments of that device class on the qube */
    List<io.bulkhead.core.domains.device.DeviceAssignment> deviceAssignments(String qube, String deviceClass);

    /** Persists an assignment; {@link DeviceAlreadyAssigned} if the same backend+port is assigned. */
    void assignDevice(String qube, io.bulkhead.core.domains.device.DeviceAssignment assignment);

    /** Removes an assignment; {@link DeviceNotAssigned} if there is none for backend+port. */
    void unassignDevice(String qube, String deviceClass, String backendDomain, String port);
}
