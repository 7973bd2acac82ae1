package io.bulkhead.core.runtime.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where an extension comes from: an absolute path on dom0, or a {@code file:}, {@code http:} or
 * {@code https:} URL. The file name (last path segment) decides the kind and the deployed name.
 *
 * @param uri  the location
 * @param name file name to deploy under
 */
record InstallSource(URI uri, String name) {

    private static final int CONNECT_TIMEOUT_MS = 10_000;
    private static final int READ_TIMEOUT_MS = 60_000;

    /** @throws IllegalArgumentException naming what is wrong with {@code text} */
    static InstallSource parse(String text) {
        String trimmed = text == null ? "" : text.strip();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("no file or URL given");
        }
        URI uri;
        if (trimmed.startsWith("/")) {
            uri = Path.of(trimmed).toUri();
        } else {
            try {
                uri = new URI(trimmed);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("'" + trimmed + "' is neither an absolute path nor a URL: " + e.getMessage(), e);
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("file") && !scheme.equals("http") && !scheme.equals("https")) {
                throw new IllegalArgumentException("'" + trimmed + "': give an absolute path or a file:, http: or https: URL");
            }
        }
        String path = uri.getPath();
        if (path == null || path.isEmpty() || path.endsWith("/")) {
            throw new IllegalArgumentException("'" + trimmed + "' does not name a file");
        }
        String name = path.substring(path.lastIndexOf('/') + 1);
        DeployDirectory.checkName(name);
        return new InstallSource(uri, name);
    }

    InputStream open() throws IOException {
        if ("file".equalsIgnoreCase(uri.getScheme())) {
            Path p = Path.of(uri);
            if (!Files.isRegularFile(p)) {
                throw new IOException(p + " does not exist or is not a regular file");
            }
            return Files.newInputStream(p);
        }
        URLConnection connection = uri.toURL().openConnection();
        connection.setConnectTimeout(CONNECT_TIMEOUT_MS);
        connection.setReadTimeout(READ_TIMEOUT_MS);
        return connection.getInputStream();
    }
}
