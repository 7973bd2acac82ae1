package io.bulkhead.hal.kvm.internal;

/**
 * QEMU machine types the backend uses. {@code microvm} (virtio-mmio, no PCI, no firmware) boots a
 * PVH vmlinux fastest; {@code q35} is needed for firmware/disk boot, PCI passthrough and
 * hot-plugging NICs (netvm).
 */
enum Machine {
    MICROVM("microvm", "virtio-blk-device", "virtio-serial-device", "virtio-net-device", "virtio-rng-device"),
    Q35("q35", "virtio-blk-pci", "virtio-serial-pci", "virtio-net-pci", "virtio-rng-pci");

    private final String qemuName;
    private final String blockDevice;
    private final String serialBus;
    private final String netDevice;
    private final String rngDevice;

    Machine(String qemuName, String blockDevice, String serialBus, String netDevice, String rngDevice) {
        this.qemuName = qemuName;
        this.blockDevice = blockDevice;
        this.serialBus = serialBus;
        this.netDevice = netDevice;
        this.rngDevice = rngDevice;
    }

    String qemuName() {
        return qemuName;
    }

    String blockDevice() {
        return blockDevice;
    }

    String serialBus() {
        return serialBus;
    }

    String netDevice() {
        return netDevice;
    }

    String rngDevice() {
        return rngDevice;
    }
}
