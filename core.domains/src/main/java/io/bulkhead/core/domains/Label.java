package io.bulkhead.core.domains;

import java.util.Objects;

/**
 * A qube label (colour). The eight built-in labels are red(1) orange(2) yellow(3) green(4)
 * gray(5) blue(6) purple(7) black(8).
 *
 * @param index label number; {@code label-N} is its id
 * @param name  label name, e.g. {@code red}
 * @param color colour as {@code 0xRRGGBB}
 */
public record Label(int index, String name, String color) {

    public Label {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(color, "color");
    }

    /** @return the id used in qubes.xml, {@code label-<index>} */
    public String id() {
        return "label-" + index;
    }
}
