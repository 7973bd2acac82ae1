#!/usr/bin/env python3
"""Extracts the uncompressed ELF vmlinux from a bzImage (vmlinuz) for PVH direct boot.

QEMU boots an ELF vmlinux through its PVH entry point (Xen ELF note 18, XEN_ELFNOTE_PHYS32_ENTRY),
which skips the real-mode setup and the in-guest decompressor (about 3 s under TCG).

usage: extract-vmlinux.py VMLINUZ OUTPUT
"""
import gzip
import lzma
import struct
import sys
import zlib

# (magic, name, decompress(bytes) -> bytes); the first one that yields an ELF image wins.
def _xz(data):
    return lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data)

def _gzip(data):
    return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data)

def _zstd(data):
    import subprocess
    return subprocess.run(["zstd", "-dc"], input=data, capture_output=True).stdout

FORMATS = [
    (b"\xfd7zXZ\x00", "xz", _xz),
    (b"\x1f\x8b\x08", "gzip", _gzip),
    (b"\x28\xb5\x2f\xfd", "zstd", _zstd),
]

XEN_ELFNOTE_PHYS32_ENTRY = 18


def has_pvh_note(elf):
    """True when the ELF64 image carries the Xen PHYS32_ENTRY note QEMU needs for PVH boot."""
    if elf[4] != 2:  # ELFCLASS64
        return False
    e_phoff, = struct.unpack_from("<Q", elf, 0x20)
    e_phentsize, e_phnum = struct.unpack_from("<HH", elf, 0x36)
    for i in range(e_phnum):
        p_type, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", elf, e_phoff + i * e_phentsize)
        if p_type != 4:  # PT_NOTE
            continue
        pos, end = p_offset, p_offset + p_filesz
        while pos + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", elf, pos)
            name = elf[pos + 12:pos + 12 + namesz].rstrip(b"\x00")
            if name == b"Xen" and ntype == XEN_ELFNOTE_PHYS32_ENTRY:
                return True
            pos += 12 + ((namesz + 3) & ~3) + ((descsz + 3) & ~3)
    return False


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: extract-vmlinux.py VMLINUZ OUTPUT")
    src, dst = sys.argv[1], sys.argv[2]
    data = open(src, "rb").read()
    for magic, name, decompress in FORMATS:
        start = data.find(magic)
        while start >= 0:
            try:
                out = decompress(data[start:])
            except Exception:  # not a real stream at this offset: try the next occurrence
                out = b""
            if out[:4] == b"\x7fELF":
                if not has_pvh_note(out):
                    sys.exit(f"extract-vmlinux: {src}: the kernel has no PVH entry note (CONFIG_PVH=n); "
                             "QEMU cannot boot it as a vmlinux")
                with open(dst, "wb") as f:
                    f.write(out)
                print(f"extract-vmlinux: {name} payload at offset {start}, {len(out)} bytes")
                return
            start = data.find(magic, start + 1)
    sys.exit(f"extract-vmlinux: {src}: no xz/gzip/zstd payload decompresses to an ELF image")


if __name__ == "__main__":
    main()
