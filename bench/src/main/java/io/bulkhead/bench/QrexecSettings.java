package io.bulkhead.bench;

import io.bulkhead.core.qrexec.internal.QrexecConfig;
import java.lang.reflect.Proxy;

/** dom0's qrexec daemon settings for a benchmark that runs the daemon in its own JVM (no ConfigAdmin). */
public final class QrexecSettings {
    private QrexecSettings() {
    }

    /**
     * @param defaultUser the user commands run as when a call names none, or {@code null} for the
     *                    daemon's default
     * @return every other setting at its metatype default
     */
    public static QrexecConfig defaults(String defaultUser) {
        return (QrexecConfig) Proxy.newProxyInstance(QrexecConfig.class.getClassLoader(), new Class<?>[] {QrexecConfig.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "defaultUser" -> defaultUser != null ? defaultUser : method.getDefaultValue();
                    case "annotationType" -> QrexecConfig.class;
                    case "toString" -> "QrexecConfig(bench)";
                    case "hashCode" -> 0;
                    case "equals" -> proxy == args[0];
                    default -> method.getDefaultValue();
                });
    }
}
