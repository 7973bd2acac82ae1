package io.bulkhead.qvm.internal.gogo;


import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.bulkhead.core.admin.AdminApi;
import io.bulkhead.qvm.client.AdminTransport;

/**
 * The qvm-* tools as Gogo commands in the dom0 console: {@code qvm:ls}, {@code qvm:prefs work netvm}, ... (the tool
 * name without its {@code qvm-} prefix; {@code qubes-prefs} is {@code qvm:qubesprefs}). They call the Admin API in
 * process and print to the session's {@link System#out}. {@code qvm:run} needs the qubesd socket and refuses here.
 */
@Component(service = QvmCommands.class, property = {
    "osgi.command.scope=qvm",
    "osgi.command.function=ls", "osgi.command.function=create", "osgi.command.function=remove",
    "osgi.command.function=clone", "osgi.command.function=start", "osgi.command.function=shutdown",
    "osgi.command.function=kill", "osgi.command.function=pause", "osgi.command.function=unpause",
    "osgi.command.function=prefs", "osgi.command.function=qubesprefs", "osgi.command.function=features",
    "osgi.command.function=tags", "osgi.command.function=check", "osgi.command.function=volume",
    "osgi.command.function=pool", "osgi.command.function=template", "osgi.command.function=run"})
public final class QvmCommands {
    private final AdminTransport transport;

    @Activate
    public QvmCommands(@Reference AdminApi api) {
        this.transport = new AdminApiTransport(api);
    }

    int invoke(String tool, String... args) {
        return SessionTools.run(transport, tool, args);
    }

    public void ls(String... args) {
        invoke("qvm-ls", args);
    }

    public void create(String... args) {
        invoke("qvm-create", args);
    }

    /** Without a terminal to confirm on: pass {@code --force}. */
    public void remove(String... args) {
        invoke("qvm-remove", args);
    }

    public void clone(String... args) {
        invoke("qvm-clone", args);
    }

    public void start(String... args) {
        invoke("qvm-start", args);
    }

    public void shutdown(String... args) {
        invoke("qvm-shutdown", args);
    }

    public void kill(String... args) {
        invoke("qvm-kill", args);
    }

    public void pause(String... args) {
        invoke("qvm-pause", args);
    }

    public void unpause(String... args) {
        invoke("qvm-unpause", args);
    }

    public void prefs(String... args) {
        invoke("qvm-prefs", args);
    }

    public void qubesprefs(String... args) {
        invoke("qubes-prefs", args);
    }

    public void features(String... args) {
        invoke("qvm-features", args);
    }

    public void tags(String... args) {
        invoke("qvm-tags", args);
    }

    public void check(String... args) {
        invoke("qvm-check", args);
    }

    public void volume(String... args) {
        invoke("qvm-volume", args);
    }

    public void pool(String... args) {
        invoke("qvm-pool", args);
    }

    public void template(String... args) {
        invoke("qvm-template", args);
    }

    public void run(String... args) {
        invoke("qvm-run", args);
    }
}
