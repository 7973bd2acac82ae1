#!/bin/bash
# Builds the "minimal" Bulkhead guest template from Debian packages, without root
# (root is only needed once, by scripts/install-deps.sh, to install the host tools).
#
# Output, in ${BULKHEAD_CACHE:-$HOME/.cache/bulkhead}/templates/minimal/ (or --out DIR):
#   vmlinux         Debian's kernel, uncompressed ELF for PVH direct boot (QEMU -kernel)
#   initramfs       uncompressed newc cpio: busybox, the drivers, stage-1 init (QEMU -initrd)
#   root.img        ext4 image of the template root: busybox, jlinked JRE with a CDS archive,
#                   the agent jar with its own class-data archive (AppCDS, trained by running the
#                   agent's start path in the image tree), the stage-2 init (busybox init + scripts)
#   manifest.json   versions, kernel command line, agent command, sizes and sha256 of the files
# The build is skipped when the manifest records the same inputs (sources here, package
# versions, JDK, agent jar, options); --force rebuilds anyway.
#
# usage: template/build-minimal.sh [--agent-jar JAR] [--agent-args ARGS] [--out DIR]
#                                  [--stub-agent] [--no-agent-archive] [--kernel-package NAME]
#                                  [--java-home DIR] [--force]
#   --agent-jar JAR     guest agent (a runnable jar); default: agent/target/bulkhead-agent.jar of
#                       this checkout when it has been built, else the stand-in agent in agent-stub/
#   --stub-agent        use the stand-in agent (prints a ready line, then echoes) even if the real
#                       one is built: what hal.kvm's tests and benchmark boot
#   --agent-args ARGS   arguments after "-jar agent.jar" (default: --port $BULKHEAD_AGENT_PORT)
#   --java-opts OPTS    JVM options of the agent (default: CDS, C1 only, serial GC, small heap)
#   --no-agent-archive  no class-data archive for the agent (the real agent gets one by default:
#                       its JVM reaches the qrexec hello about 1 s sooner under TCG)
#   --kernel-package P  Debian kernel package (default: what linux-image-amd64 depends on)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
FORMAT_VERSION=1                     # bump when the output layout changes
AGENT_PORT_NAME=qrexec               # virtio-serial port the agent serves (hal.kvm's channel name)
MODULES=(virtio virtio_ring virtio_mmio virtio_pci virtio_blk virtio_console virtio_rng ext4 button evdev virtio_net)
# VFORK: the guest JRE is a jlinked JDK 17, where vfork spawns a process in about half the time of
# FORK under TCG (command round trip measured 14 ms against 27 ms); JDK 26 drops it, so a newer JDK
# needs FORK here
JAVA_OPTS_GUEST="-Xshare:auto -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss256k -Xmx32m -XX:-UsePerfData -Djdk.lang.Process.launchMechanism=VFORK"
# The agent's own class-data archive (see step 5): a static AppCDS archive of every class its start
# path loads, JDK and agent, dumped from a training run in the image tree. ArchiveRelocationMode=0
# maps it at the address it was dumped for instead of relocating every pointer in it (JDK 17.0.15
# relocates by default: about 0.2 s of the JVM start under TCG); it still relocates if that
# address is taken. -Xshare:auto: a JVM that cannot use the archive runs without it.
AGENT_ARCHIVE=/opt/bulkhead/agent.jsa
AGENT_ARCHIVE_OPTS="-XX:SharedArchiveFile=$AGENT_ARCHIVE -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0"
# The modification time the agent jar gets in the image: AppCDS checks it (and the size) against
# the archive's record of the class path, so it must survive into root.img (mkfs.ext4 -d keeps it).
AGENT_JAR_MTIME=@946684800   # 2000-01-01T00:00:00Z

agent_jar=""
agent_args='--port $BULKHEAD_AGENT_PORT'
out=""
kernel_package="${BULKHEAD_GUEST_KERNEL_PACKAGE:-}"
java_home="${JAVA_HOME:-}"
force=false
stub_agent=false
agent_archive=true
while [ $# -gt 0 ]; do
  case "$1" in
    --agent-jar) agent_jar=$2; shift 2 ;;
    --stub-agent) stub_agent=true; shift ;;
    --agent-args) agent_args=$2; shift 2 ;;
    --java-opts) JAVA_OPTS_GUEST=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --kernel-package) kernel_package=$2; shift 2 ;;
    --java-home) java_home=$2; shift 2 ;;
    --force) force=true; shift ;;
    --no-agent-archive) agent_archive=false; shift ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
    *) echo "template: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

cache="${BULKHEAD_CACHE:-$HOME/.cache/bulkhead}"
out="${out:-$cache/templates/minimal}"
downloads="$cache/downloads"
started=$(date +%s%N)
step=0
STEPS=11
progress() {
  step=$((step + 1))
  local elapsed_ms=$((($(date +%s%N) - started) / 1000000))
  printf 'template: [%d/%d] %s  (%d.%d s)\n' "$step" "$STEPS" "$*" $((elapsed_ms / 1000)) $((elapsed_ms % 1000 / 100))
}
die() { echo "template: ERROR: $*" >&2; exit 1; }

# ---- tools ---------------------------------------------------------------------------------
if [ -z "$java_home" ]; then
  java_home=$(dirname "$(dirname "$(readlink -f "$(command -v javac || echo /nonexistent/bin/javac)")")")
fi
for tool in apt-get apt-cache dpkg-deb dpkg-query python3 mkfs.ext4 cpio sha256sum flock unshare ldd; do
  command -v "$tool" >/dev/null || die "'$tool' not found; run scripts/install-deps.sh (as root) first"
done
for tool in jlink jdeps javac jar; do
  [ -x "$java_home/bin/$tool" ] || die "$java_home/bin/$tool not found: need a JDK 17 with jmods (openjdk-17-jdk-headless; scripts/install-deps.sh) or --java-home"
done
[ -d "$java_home/jmods" ] || die "$java_home/jmods missing: jlink needs the jmods of openjdk-17-jdk-headless"
busybox=/bin/busybox
[ -x "$busybox" ] && ! ldd "$busybox" >/dev/null 2>&1 || die "$busybox is missing or not static: install busybox-static (scripts/install-deps.sh)"
[ -z "$agent_jar" ] || [ -f "$agent_jar" ] || die "agent jar '$agent_jar' does not exist"
[ -z "$agent_jar" ] || [ "$stub_agent" = false ] || die "--agent-jar and --stub-agent exclude each other"
if [ -z "$agent_jar" ] && [ "$stub_agent" = false ]; then
  built_agent="$HERE/../agent/target/bulkhead-agent.jar"
  if [ -f "$built_agent" ]; then
    agent_jar=$(cd "$(dirname "$built_agent")" && pwd)/$(basename "$built_agent")
  else
    echo "template: note: $built_agent is not built; using the stand-in agent (agent-stub/)" >&2
  fi
fi

mkdir -p "$(dirname "$out")" "$downloads"
exec 9>"$out.lock"
flock 9                              # one build at a time (tests and benchmarks share the cache)

# ---- inputs --------------------------------------------------------------------------------
if [ -z "$kernel_package" ]; then
  kernel_package=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
  [ -n "$kernel_package" ] || die "apt knows no linux-image-amd64; run 'apt-get update' (as root) or pass --kernel-package"
fi
kernel_version=$(apt-cache show --no-all-versions "$kernel_package" 2>/dev/null | awk '/^Version:/ {print $2; exit}')
[ -n "$kernel_version" ] || die "apt knows no package '$kernel_package'; run 'apt-get update' (as root)"
kernel_release=${kernel_package#linux-image-}

pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo unknown; }
jdk_release=$("$java_home/bin/java" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.runtime.version/ {print $2}')
if [ -n "$agent_jar" ]; then
  agent_id="jar:$(sha256sum "$agent_jar" | cut -d' ' -f1)"
else
  agent_id="stub:$(cat "$HERE"/agent-stub/src/io/bulkhead/template/stub/*.java | sha256sum | cut -d' ' -f1)"
fi
inputs=$(
  {
    echo "format=$FORMAT_VERSION kernel=$kernel_package=$kernel_version busybox=$(pkg_version busybox-static)"
    echo "jdk=$jdk_release libc=$(pkg_version libc6) agent=$agent_id agent_args=$agent_args"
    echo "modules=${MODULES[*]} java_opts=$JAVA_OPTS_GUEST agent_archive=$agent_archive"
    (cd "$HERE" && find build-minimal.sh lib initramfs rootfs -type f | LC_ALL=C sort | xargs sha256sum)
  } | sha256sum | cut -d' ' -f1)

if [ "$force" = false ] && [ -f "$out/manifest.json" ] && grep -q "\"inputs\": \"$inputs\"" "$out/manifest.json" \
   && [ -f "$out/vmlinux" ] && [ -f "$out/initramfs" ] && [ -f "$out/root.img" ]; then
  echo "template: $(basename "$out") is up to date in $out (kernel $kernel_release, inputs ${inputs:0:12})"
  exit 0
fi

work="$out.work"
rm -rf "$work" "$out.new"
mkdir -p "$work" "$out.new"
trap 'rm -rf "$work" "$out.new"' EXIT

# ---- 1. kernel -----------------------------------------------------------------------------
progress "guest kernel $kernel_package $kernel_version"
deb=$(ls "$downloads/${kernel_package}_"*"_amd64.deb" 2>/dev/null | grep -F "_${kernel_version/:/%3a}_" || true)
if [ -z "$deb" ]; then
  (cd "$downloads" && apt-get download -q "$kernel_package=$kernel_version" 2>&1 | grep -v "^W: Download is performed unsandboxed" | sed "s/^/template:   /" || true)
  deb=$(ls "$downloads/${kernel_package}_"*"_amd64.deb" 2>/dev/null | grep -F "_${kernel_version/:/%3a}_" || true)
  [ -n "$deb" ] || die "apt-get download $kernel_package=$kernel_version produced no .deb in $downloads"
fi
dpkg-deb -x "$deb" "$work/kernel"
moddir="$work/kernel/lib/modules/$kernel_release"
[ -d "$moddir" ] || die "$deb has no lib/modules/$kernel_release"

progress "uncompressed PVH vmlinux"
python3 "$HERE/lib/extract-vmlinux.py" "$work/kernel/boot/vmlinuz-$kernel_release" "$out.new/vmlinux" | sed 's/^/template:   /'

# ---- 2. initramfs --------------------------------------------------------------------------
progress "initramfs (busybox, ${#MODULES[@]} drivers + dependencies, stage-1 init)"
install_busybox() { # install_busybox TREE: the static busybox and a /bin link per applet
  mkdir -p "$1/bin" "$1/sbin"
  cp "$busybox" "$1/bin/busybox"
  for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$1/bin/$applet"
  done
  ln -sf ../bin/busybox "$1/sbin/init"
}
initrd="$work/initramfs"
mkdir -p "$initrd"/{dev,proc,sys,newroot,lib/modules}
install_busybox "$initrd"
rm "$initrd/sbin/init"                 # the kernel runs /init
cp "$HERE/initramfs/init" "$initrd/init"
chmod 0755 "$initrd/init"
python3 "$HERE/lib/resolve-modules.py" "$moddir" "${MODULES[@]}" >"$work/module-paths"
while read -r path; do
  cp "$moddir/$path" "$initrd/lib/modules/"
  basename "$path" >>"$initrd/lib/modules/load-order"
done <"$work/module-paths"
echo "template:   modules: $(tr '\n' ' ' <"$initrd/lib/modules/load-order")"
(cd "$initrd" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 --reproducible >"$out.new/initramfs")

# ---- 3. agent ------------------------------------------------------------------------------
if [ -z "$agent_jar" ]; then
  progress "stand-in agent (agent-stub/, no --agent-jar given)"
  mkdir -p "$work/stub/classes"
  "$java_home/bin/javac" -q --release 17 -d "$work/stub/classes" "$HERE"/agent-stub/src/io/bulkhead/template/stub/*.java 2>/dev/null \
    || "$java_home/bin/javac" --release 17 -d "$work/stub/classes" "$HERE"/agent-stub/src/io/bulkhead/template/stub/*.java
  "$java_home/bin/jar" --create --file "$work/stub/agent.jar" --main-class io.bulkhead.template.stub.ReadyAgent \
    --date 2000-01-01T00:00:00Z -C "$work/stub/classes" .
  agent_source="stub"
  agent_jar="$work/stub/agent.jar"
else
  progress "agent $agent_jar"
  agent_source="$agent_jar"
fi
# The stand-in agent has no training run: it gets no archive of its own.
[ "$agent_source" != stub ] || agent_archive=false
agent_java_opts=$JAVA_OPTS_GUEST
[ "$agent_archive" = false ] || agent_java_opts="$JAVA_OPTS_GUEST $AGENT_ARCHIVE_OPTS"

# ---- 4. JRE --------------------------------------------------------------------------------
jre_modules=$("$java_home/bin/jdeps" --multi-release 17 --ignore-missing-deps --print-module-deps "$agent_jar" 2>/dev/null || true)
[ -n "$jre_modules" ] || jre_modules=java.base
progress "minimal JRE via jlink ($jre_modules) with a CDS archive"
root="$work/root"
mkdir -p "$root/opt"
"$java_home/bin/jlink" --add-modules "$jre_modules" --strip-debug --no-header-files --no-man-pages \
  --compress=2 --generate-cds-archive --output "$root/opt/jre" 2>&1 | grep -v '^\[.*warning.*cds' | sed 's/^/template:   /' || true
[ -f "$root/opt/jre/lib/server/classes.jsa" ] || die "jlink made no CDS archive (opt/jre/lib/server/classes.jsa)"
rm -f "$root/opt/jre/lib/server/classes_nocoops.jsa"   # the agent's small heap always uses compressed oops

# ---- 5. root tree --------------------------------------------------------------------------
progress "root tree (busybox, libraries, agent, stage-2 init)"
install_busybox "$root"
mkdir -p "$root"/{dev,proc,sys,run,tmp,rw,home,root,usr/local,usr/bin,usr/sbin,var,opt/bulkhead,lib64,lib/x86_64-linux-gnu}
chmod 1777 "$root/tmp"
chmod 0700 "$root/root"
ln -s /tmp "$root/var/tmp"
ln -s /run/log "$root/var/log"
ln -s /run "$root/var/run"
cp -r "$HERE/rootfs/." "$root/"
ln -s /run/resolv.conf "$root/etc/resolv.conf"   # written at each boot (bulkhead-setup), root may be read-only
chmod 0755 "$root"/sbin/bulkhead-*
cp "$agent_jar" "$root/opt/bulkhead/agent.jar"
touch -d "$AGENT_JAR_MTIME" "$root/opt/bulkhead/agent.jar"
mkdir -p "$root/etc/bulkhead"
cat >"$root/etc/bulkhead/agent.conf" <<EOF
# Written by template/build-minimal.sh. Sourced by /sbin/bulkhead-agent, which sets
# BULKHEAD_AGENT_PORT (/dev/virtio-ports/NAME) and BULKHEAD_QUBE_NAME before running AGENT_COMMAND.
AGENT_PORT_NAME=$AGENT_PORT_NAME
JAVA=/opt/jre/bin/java
JAVA_OPTS="$agent_java_opts"
AGENT_JAR=/opt/bulkhead/agent.jar
AGENT_COMMAND='\$JAVA \$JAVA_OPTS -jar \$AGENT_JAR $agent_args'
EOF
echo bulkhead >"$root/etc/hostname"
# The JRE's shared libraries, from the host (same Debian release as the JDK that jlink used).
for lib in $(find "$root/opt/jre" -type f \( -name '*.so' -o -perm -u+x \) -exec ldd {} \; 2>/dev/null \
             | awk '$3 ~ /^\// {print $3} $1 ~ /^\/lib64\// {print $1}' | sort -u); do
  case "$lib" in
    "$root"/*) ;;                    # the JRE's own (libjli.so, libjava.so...): already in /opt/jre
    */ld-linux-x86-64.so.2) cp -L "$lib" "$root/lib64/ld-linux-x86-64.so.2" ;;
    *) cp -L "$lib" "$root/lib/x86_64-linux-gnu/$(basename "$lib")" ;;
  esac
done
[ -f "$root/lib64/ld-linux-x86-64.so.2" ] || cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
# C.UTF-8 (400 KB, libc-bin: the same glibc): the agent runs with LANG=C.UTF-8 so that the JVM passes
# non-ASCII command lines through; glibc does not build this locale in
if [ -d /usr/lib/locale/C.utf8 ]; then
  mkdir -p "$root/usr/lib/locale"
  cp -r /usr/lib/locale/C.utf8 "$root/usr/lib/locale/"
else
  echo "template:   WARNING: /usr/lib/locale/C.utf8 missing (libc-bin): non-ASCII commands reach the guest as '?'" >&2
fi
# The archive must map in the guest tree: check it with the host kernel, which runs the same binaries.
"$root/opt/jre/bin/java" -Xshare:on -version >/dev/null 2>"$work/cds-check" \
  || die "the guest JRE cannot map its CDS archive: $(cat "$work/cds-check")"

# ---- 6. agent class-data archive -----------------------------------------------------------
# Under TCG the agent's JVM spends seconds loading and verifying the ~1200 classes of its start
# path. A static AppCDS archive holds them pre-parsed and pre-verified. JDK 17 accepts it only for
# the same JVM, the same class path string, and a jar of the same size and modification time, so
# it is dumped in the image tree itself, chrooted (a user namespace when not root), with the guest
# JRE, paths and options: a training run of the agent's real start path (--train: the hello and
# commands against a dom0 played in-process) lists the classes, -Xshare:dump archives them.
in_tree() { # in_tree COMMAND...: run COMMAND chrooted in the root tree, with /dev and /proc
  local ns=(unshare --mount)
  [ "$(id -u)" -eq 0 ] || ns=(unshare --user --map-root-user --mount)
  "${ns[@]}" sh -c 'mount --rbind /dev "$0/dev" && mount --rbind /proc "$0/proc" && exec chroot "$0" "$@"' "$root" \
    /bin/env -i PATH=/bin:/sbin:/usr/bin HOME=/root LANG=C.UTF-8 "$@"
}
if [ "$agent_archive" = true ]; then
  progress "agent class-data archive (training run in the image tree)"
  classlist=/tmp/agent.classlist
  # shellcheck disable=SC2086  # JAVA_OPTS_GUEST is a list of options
  in_tree /opt/jre/bin/java $JAVA_OPTS_GUEST -XX:DumpLoadedClassList=$classlist -jar /opt/bulkhead/agent.jar --train \
    >"$work/train.log" 2>&1 \
    || die "the agent's training run failed (a jar without --train? then --no-agent-archive): $(tail -5 "$work/train.log")"
  # shellcheck disable=SC2086
  in_tree /opt/jre/bin/java $JAVA_OPTS_GUEST -Xshare:dump -XX:SharedClassListFile=$classlist \
    -XX:SharedArchiveFile=$AGENT_ARCHIVE -cp /opt/bulkhead/agent.jar >"$work/dump.log" 2>&1 \
    || die "dumping the agent's class-data archive failed: $(grep -v 'warning.*\[cds\]' "$work/dump.log" | tail -5)"
  rm -f "$root$classlist"
  # -Xshare:on fails instead of falling back: the archive must map, and serve the agent's classes.
  # shellcheck disable=SC2086
  in_tree /opt/jre/bin/java $agent_java_opts -Xshare:on -Xlog:class+load=info -jar /opt/bulkhead/agent.jar \
    --no-such-option >"$work/archive-check" 2>&1 || true
  grep -q 'io.bulkhead.agent.internal.AgentMain source: shared objects file' "$work/archive-check" \
    || die "the agent's class-data archive does not map in the image tree: $(grep -v 'class,load' "$work/archive-check" | tail -5)"
  echo "template:   $(grep -c 'training run done' "$work/train.log") training run, $(wc -l <"$work/train.log") log lines;" \
    "archive $(($(stat -c %s "$root$AGENT_ARCHIVE") / 1024)) KiB," \
    "$(grep -c 'source: shared objects file' "$work/archive-check") classes mapped at the check"
fi
rm -rf "${root:?}"/tmp/* "${root:?}"/tmp/.[!.]* 2>/dev/null || true
# Stage 1 reads these ahead, in this order, while stage 2 sets up (initramfs/init): what the
# agent's JVM opens first, its libraries, the class-data archive, the jar, the locale.
(cd "$root" && {
  echo lib64/ld-linux-x86-64.so.2
  echo opt/jre/bin/java
  echo opt/jre/lib/libjli.so
  find lib/x86_64-linux-gnu -type f | LC_ALL=C sort
  echo opt/jre/lib/server/libjvm.so
  [ ! -f ".$AGENT_ARCHIVE" ] || echo "${AGENT_ARCHIVE#/}"
  find opt/jre/lib -maxdepth 1 -name '*.so' ! -name libjli.so | LC_ALL=C sort
  echo opt/bulkhead/agent.jar
  [ ! -d usr/lib/locale ] || find usr/lib/locale -type f | LC_ALL=C sort
} >etc/bulkhead/readahead)

# ---- 7. root image -------------------------------------------------------------------------
progress "root.img (ext4 via mkfs.ext4 -d, no mount)"
content_mb=$(du -sm "$root" | cut -f1)
image_mb=$((content_mb + content_mb / 5 + 64))    # room for a qube's writes to its root snapshot
truncate -s "${image_mb}M" "$out.new/root.img"
mkfs_root=(mkfs.ext4 -q -F -L bulkhead-root -O ^has_journal -E lazy_itable_init=0,root_owner=0:0
           -d "$root" "$out.new/root.img" "${image_mb}M")
if [ "$(id -u)" -eq 0 ]; then
  "${mkfs_root[@]}"
elif unshare --user --map-root-user true 2>/dev/null; then
  # In a user namespace our files look owned by root, so the image gets uid/gid 0.
  unshare --user --map-root-user "${mkfs_root[@]}"
else
  echo "template:   WARNING: not root and no user namespaces: files in root.img keep uid $(id -u)" >&2
  "${mkfs_root[@]}"
fi

if [ "$agent_archive" = true ]; then
  # AppCDS rejects the archive (silently, with -Xshare:auto) if the jar's mtime changed on the way
  debugfs=$(command -v debugfs || echo /sbin/debugfs)
  if [ -x "$debugfs" ]; then
    jar_mtime=$("$debugfs" -R "stat /opt/bulkhead/agent.jar" "$out.new/root.img" 2>/dev/null | sed -n 's/^ *mtime: 0x\([0-9a-f]*\).*/\1/p')
    [ "$((16#${jar_mtime:-0}))" = "${AGENT_JAR_MTIME#@}" ] \
      || die "root.img has the agent jar with mtime 0x${jar_mtime:-?}, not ${AGENT_JAR_MTIME#@}: its class-data archive would not be used"
  fi
fi

# ---- 8. manifest ---------------------------------------------------------------------------
progress "manifest"
file_entry() {
  printf '    "%s": {"size": %d, "sha256": "%s"}' "$1" "$(stat -c %s "$out.new/$1")" "$(sha256sum "$out.new/$1" | cut -d' ' -f1)"
}
cat >"$out.new/manifest.json" <<EOF
{
  "template": "minimal",
  "format": $FORMAT_VERSION,
  "inputs": "$inputs",
  "built": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "kernel": {"package": "$kernel_package", "version": "$kernel_version", "release": "$kernel_release"},
  "modules": [$(sed 's/.*/"&"/' "$initrd/lib/modules/load-order" | paste -sd, -)],
  "busybox": "$(pkg_version busybox-static)",
  "jdk": "$jdk_release",
  "jreModules": "$jre_modules",
  "agent": {"source": "$agent_source", "sha256": "$(sha256sum "$agent_jar" | cut -d' ' -f1)", "port": "$AGENT_PORT_NAME",
            "command": "/opt/jre/bin/java $agent_java_opts -jar /opt/bulkhead/agent.jar $agent_args",
            "classDataArchive": $([ "$agent_archive" = true ] && echo "\"$AGENT_ARCHIVE\"" || echo null)},
  "kernelCmdline": "console=ttyS0 panic=-1 quiet tsc=reliable",
  "volumes": {"root": "virtio-blk serial=root (ro: template, rw: per-start snapshot)",
              "private": "serial=private, ext2/3/4, formatted when blank, mounted on /rw",
              "volatile": "serial=volatile, blank, becomes swap"},
  "files": {
$(file_entry vmlinux),
$(file_entry initramfs),
$(file_entry root.img)
  }
}
EOF

# ---- 9. publish ----------------------------------------------------------------------------
progress "publishing to $out"
rm -rf "$out.old"
[ -d "$out" ] && mv "$out" "$out.old"
mv "$out.new" "$out"
rm -rf "$out.old"
trap 'rm -rf "$work"' EXIT

# ---- 10. summary ----------------------------------------------------------------------------
progress "done"
(cd "$out" && for f in vmlinux initramfs root.img; do
  printf 'template:   %-10s %6d KiB (disk usage %d KiB)\n' "$f" $(($(stat -c %s "$f") / 1024)) "$(du -k "$f" | cut -f1)"
done)
echo "template: $(basename "$out") built in $out"
