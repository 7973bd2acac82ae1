package io.bulkhead.core.domains;

/** Type of a property, as named by the Admin API ({@code type=vm|int|bool|label|str}). */
public enum PropertyType {
    VM("vm"), INT("int"), BOOL("bool"), LABEL("label"), STR("str");

    private final String apiName;

    PropertyType(String apiName) {
        this.apiName = apiName;
    }

    /** @return the Admin API type name */
    public String apiName() {
        return apiName;
    }
}
