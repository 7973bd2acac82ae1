package io.bulkhead.core.runtime.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * A feature package ({@code .bfp}): several bundles plus their configuration in one zip file.
 *
 * <pre>
 * feature.json          {"name": "...", "version": "...", "description": "..."}
 * bundles/NAME.jar      installed in name order, started once all are installed and configured
 * config/PID.cfg        ConfigAdmin configuration, java.util.Properties syntax
 * config/FPID-NAME.cfg  factory configuration NAME of factory PID FPID (FileInstall's convention)
 * </pre>
 *
 * @param name        feature name
 * @param version     feature version (free text)
 * @param description one line, may be empty
 * @param bundles     bundle entries in install order
 * @param configs     configurations
 */
record FeaturePackage(String name, String version, String description, List<BundleEntry> bundles, List<ConfigEntry> configs) {

    static final String DESCRIPTOR = "feature.json";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern PID = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._]*");
    /** Refuse absurd packages before reading them into memory. */
    private static final long MAX_ENTRY_BYTES = 256L * 1024 * 1024;

    /** A bundle inside the package. */
    record BundleEntry(String entry, BundleIdentity identity) {
    }

    /** A configuration inside the package; {@code factoryPid} is null for a singleton. */
    record ConfigEntry(String entry, String pid, String factoryPid, String factoryName, Map<String, String> properties) {
    }

    /** @throws IllegalArgumentException naming the file and what is wrong with it */
    static FeaturePackage read(Path file) {
        String what = file.getFileName().toString();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return read(zip, what);
        } catch (ZipException e) {
            throw new IllegalArgumentException(what + " is not a valid feature package (zip): " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static FeaturePackage read(ZipFile zip, String what) throws IOException {
        ZipEntry descriptor = zip.getEntry(DESCRIPTOR);
        if (descriptor == null) {
            throw new IllegalArgumentException(what + " has no " + DESCRIPTOR + ": not a feature package");
        }
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(bytes(zip, descriptor, what));
        } catch (IOException e) {
            throw new IllegalArgumentException(what + ": " + DESCRIPTOR + " is not valid JSON: " + e.getMessage(), e);
        }
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException(what + ": " + DESCRIPTOR + " must be a JSON object");
        }
        String name = json.path("name").asText("");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + ": " + DESCRIPTOR + " needs a \"name\" of letters, digits, . _ - (got '" + name + "')");
        }
        String version = json.path("version").asText("");
        String description = json.path("description").asText("");

        List<BundleEntry> bundles = new ArrayList<>();
        List<ConfigEntry> configs = new ArrayList<>();
        Set<String> symbolicNames = new HashSet<>();
        for (ZipEntry e : Collections.list((Enumeration<ZipEntry>) zip.entries())) {
            String entry = e.getName();
            if (e.isDirectory() || entry.equals(DESCRIPTOR) || entry.startsWith("META-INF/")) {
                continue;
            }
            if (entry.startsWith("bundles/") && entry.endsWith(".jar") && entry.indexOf('/', 8) < 0) {
                BundleIdentity id = BundleIdentity.read(new ByteArrayInputStream(bytes(zip, e, what)), what + "!/" + entry);
                if (!symbolicNames.add(id.symbolicName())) {
                    throw new IllegalArgumentException(what + " contains bundle " + id.symbolicName() + " twice");
                }
                bundles.add(new BundleEntry(entry, id));
            } else if (entry.startsWith("config/") && entry.endsWith(".cfg") && entry.indexOf('/', 7) < 0) {
                configs.add(config(entry, bytes(zip, e, what), what));
            } else {
                throw new IllegalArgumentException(what + " contains '" + entry + "': only " + DESCRIPTOR
                        + ", bundles/*.jar and config/*.cfg belong in a feature package");
            }
        }
        if (bundles.isEmpty()) {
            throw new IllegalArgumentException(what + " contains no bundles/*.jar");
        }
        bundles.sort(Comparator.comparing(BundleEntry::entry));
        configs.sort(Comparator.comparing(ConfigEntry::entry));
        return new FeaturePackage(name, version, description, List.copyOf(bundles), List.copyOf(configs));
    }

    private static ConfigEntry config(String entry, byte[] content, String what) {
        String base = entry.substring("config/".length(), entry.length() - ".cfg".length());
        int dash = base.indexOf('-');
        String pid = dash >= 0 ? base.substring(0, dash) : base;
        String factoryName = dash >= 0 ? base.substring(dash + 1) : null;
        if (!PID.matcher(pid).matches() || (factoryName != null && factoryName.isEmpty())) {
            throw new IllegalArgumentException(what + "!/" + entry + ": file name must be PID.cfg or FACTORYPID-NAME.cfg");
        }
        Properties props = new Properties();
        try (InputStream in = new ByteArrayInputStream(content)) {
            props.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(what + "!/" + entry + " is not a valid .cfg (properties) file: " + e.getMessage(), e);
        }
        Map<String, String> values = new LinkedHashMap<>();
        props.stringPropertyNames().stream().sorted().forEach(k -> values.put(k, props.getProperty(k)));
        return dash >= 0 ? new ConfigEntry(entry, null, pid, factoryName, values) : new ConfigEntry(entry, pid, null, null, values);
    }

    static byte[] bytes(ZipFile zip, ZipEntry entry, String what) throws IOException {
        if (entry.getSize() > MAX_ENTRY_BYTES) {
            throw new IllegalArgumentException(what + "!/" + entry.getName() + " is larger than " + (MAX_ENTRY_BYTES >> 20) + " MiB");
        }
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] data = in.readNBytes((int) MAX_ENTRY_BYTES + 1);
            if (data.length > MAX_ENTRY_BYTES) {
                throw new IllegalArgumentException(what + "!/" + entry.getName() + " is larger than " + (MAX_ENTRY_BYTES >> 20) + " MiB");
            }
            return data;
        }
    }
}
