package io.bulkhead.core.policy;

import java.util.Objects;

/**
 * A policy file as the administration API returns it.
 *
 * @param name    file name without directory and without the {@code .policy} suffix
 * @param token   {@code sha256:<hex>} of the content bytes, for optimistic locking
 * @param content the text (UTF-8)
 */
public record PolicyFile(String name, String token, String content) {
    public PolicyFile {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(content, "content");
    }
}
