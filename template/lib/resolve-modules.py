#!/usr/bin/env python3
"""Resolves kernel modules and their dependencies from an unpacked kernel package.

Debian's linux-image packages ship no modules.dep (depmod runs at install time, which we avoid),
so the dependencies are read from each module's .modinfo strings ("depends=" and the
"softdep=pre:" entries). Prints the module files in load order, one path per line, relative to
MODULE_DIR. Modules built into the kernel (modules.builtin) are skipped silently.

usage: resolve-modules.py MODULE_DIR NAME...
"""
import os
import re
import sys

# softdeps name crypto algorithms, not modules; map the ones ext4/jbd2 ask for.
SOFTDEP_ALIASES = {"crypto-crc32c": "crc32c_generic", "crc32c": "crc32c_generic"}


def canonical(name):
    return name.replace("-", "_")


def index_modules(module_dir):
    found = {}
    for root, _, files in os.walk(module_dir):
        for f in files:
            if f.endswith(".ko"):
                found[canonical(f[:-3])] = os.path.relpath(os.path.join(root, f), module_dir)
    return found


def builtin_modules(module_dir):
    path = os.path.join(module_dir, "modules.builtin")
    if not os.path.exists(path):
        return set()
    with open(path) as f:
        return {canonical(os.path.basename(line.strip())[:-3]) for line in f if line.strip().endswith(".ko")}


def dependencies(path):
    data = open(path, "rb").read()
    deps = []
    m = re.search(rb"(?:^|\x00)depends=([^\x00]*)", data)
    if m and m.group(1):
        deps += [d.decode() for d in m.group(1).split(b",") if d]
    for sm in re.finditer(rb"(?:^|\x00)softdep=pre:([^\x00]*)", data):
        for d in sm.group(1).decode().split():
            deps.append(SOFTDEP_ALIASES.get(d, d))
    return [canonical(d) for d in deps]


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: resolve-modules.py MODULE_DIR NAME...")
    module_dir = sys.argv[1]
    modules = index_modules(module_dir)
    builtin = builtin_modules(module_dir)
    ordered, visiting = [], set()

    def visit(name, wanted_by):
        name = canonical(name)
        if name in ordered or name in builtin:
            return
        if name in visiting:
            sys.exit(f"resolve-modules: dependency cycle at {name}")
        if name not in modules:
            sys.exit(f"resolve-modules: module '{name}' (needed by {wanted_by}) is not in {module_dir}")
        visiting.add(name)
        for dep in dependencies(os.path.join(module_dir, modules[name])):
            visit(dep, name)
        visiting.discard(name)
        ordered.append(name)

    for requested in sys.argv[2:]:
        visit(requested, "the template")
    for name in ordered:
        print(modules[name])


if __name__ == "__main__":
    main()
