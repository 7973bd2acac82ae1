package io.bulkhead.core.domains.internal.store;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlElementWrapper;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlProperty;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlRootElement;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Jackson XML binding of the store file, shaped like Qubes' qubes.xml (reference §11): labels,
 * pools, global properties, domains with properties/features/tags/devices/volume-config.
 */
public final class StoreXml {

    private StoreXml() {
    }

    @JacksonXmlRootElement(localName = "qubes")
    @JsonPropertyOrder({"format", "labels", "pools", "properties", "domains"})
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Root {
        @JacksonXmlProperty(isAttribute = true, localName = "bulkhead-format")
        public String format;
        @JacksonXmlElementWrapper(localName = "labels")
        @JacksonXmlProperty(localName = "label")
        public List<LabelXml> labels = new ArrayList<>();
        @JacksonXmlElementWrapper(localName = "pools")
        @JacksonXmlProperty(localName = "pool")
        public List<PoolXml> pools = new ArrayList<>();
        @JacksonXmlElementWrapper(localName = "properties")
        @JacksonXmlProperty(localName = "property")
        public List<PropertyXml> properties = new ArrayList<>();
        @JacksonXmlElementWrapper(localName = "domains")
        @JacksonXmlProperty(localName = "domain")
        public List<DomainXml> domains = new ArrayList<>();
    }

    @JsonPropertyOrder({"id", "color", "name"})
    public static final class LabelXml {
        @JacksonXmlProperty(isAttribute = true)
        public String id;
        @JacksonXmlProperty(isAttribute = true)
        public String color;
        @JacksonXmlText
        public String name;
    }

    /** {@code <pool name= driver= param=.../>}: driver parameters are free-form attributes. */
    @JsonSerialize(using = PoolXmlSerializer.class)
    public static final class PoolXml {
        public String name;
        public String driver;
        public final Map<String, String> params = new LinkedHashMap<>();

        @JsonAnySetter
        public void set(String key, Object value) {
            if (key.equals("name")) {
                name = String.valueOf(value);
            } else if (key.equals("driver")) {
                driver = String.valueOf(value);
            } else {
                params.put(key, value == null ? "" : String.valueOf(value));
            }
        }
    }

    @JsonPropertyOrder({"name", "value"})
    public static final class PropertyXml {
        @JacksonXmlProperty(isAttribute = true)
        public String name;
        @JacksonXmlText
        public String value;

        public PropertyXml() {
        }

        public PropertyXml(String name, String value) {
            this.name = name;
            this.value = value;
        }
    }

    @JsonPropertyOrder({"name", "value"})
    public static final class FeatureXml {
        @JacksonXmlProperty(isAttribute = true)
        public String name;
        @JacksonXmlText
        public String value;

        public FeatureXml() {
        }

        public FeatureXml(String name, String value) {
            this.name = name;
            this.value = value;
        }
    }

    public static final class TagXml {
        @JacksonXmlProperty(isAttribute = true)
        public String name;

        public TagXml() {
        }

        public TagXml(String name) {
            this.name = name;
        }
    }

    @JsonPropertyOrder({"id", "klass", "properties", "features", "tags", "devices", "volumes"})
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public static final class DomainXml {
        @JacksonXmlProperty(isAttribute = true)
        public String id;
        @JacksonXmlProperty(isAttribute = true, localName = "class")
        public String klass;
        @JacksonXmlElementWrapper(localName = "properties")
        @JacksonXmlProperty(localName = "property")
        public List<PropertyXml> properties = new ArrayList<>();
        @JacksonXmlElementWrapper(localName = "features")
        @JacksonXmlProperty(localName = "feature")
        public List<FeatureXml> features = new ArrayList<>();
        @JacksonXmlElementWrapper(localName = "tags")
        @JacksonXmlProperty(localName = "tag")
        public List<TagXml> tags = new ArrayList<>();
        @JacksonXmlElementWrapper(useWrapping = false)
        @JacksonXmlProperty(localName = "devices")
        public List<DevicesXml> devices = new ArrayList<>();
        @JacksonXmlElementWrapper(localName = "volume-config")
        @JacksonXmlProperty(localName = "volume")
        public List<VolumeXml> volumes = new ArrayList<>();
    }

    @JsonPropertyOrder({"deviceClass", "devices"})
    public static final class DevicesXml {
        @JacksonXmlProperty(isAttribute = true, localName = "class")
        public String deviceClass;
        @JacksonXmlElementWrapper(useWrapping = false)
        @JacksonXmlProperty(localName = "device")
        public List<DeviceXml> devices = new ArrayList<>();
    }

    @JsonPropertyOrder({"backend", "port", "mode", "identity", "options"})
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public static final class DeviceXml {
        @JacksonXmlProperty(isAttribute = true, localName = "backend-domain")
        public String backend;
        @JacksonXmlProperty(isAttribute = true, localName = "id")
        public String port;
        @JacksonXmlProperty(isAttribute = true)
        public String mode;
        @JacksonXmlProperty(isAttribute = true)
        public String identity;
        @JacksonXmlElementWrapper(useWrapping = false)
        @JacksonXmlProperty(localName = "option")
        public List<PropertyXml> options = new ArrayList<>();
    }

    @JsonPropertyOrder({"name", "pool", "vid", "size", "rw", "snapOnStart", "saveOnStop", "source", "revisionsToKeep", "ephemeral"})
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class VolumeXml {
        @JacksonXmlProperty(isAttribute = true)
        public String name;
        @JacksonXmlProperty(isAttribute = true)
        public String pool;
        @JacksonXmlProperty(isAttribute = true)
        public String vid;
        @JacksonXmlProperty(isAttribute = true)
        public String size;
        @JacksonXmlProperty(isAttribute = true)
        public String rw;
        @JacksonXmlProperty(isAttribute = true, localName = "snap_on_start")
        public String snapOnStart;
        @JacksonXmlProperty(isAttribute = true, localName = "save_on_stop")
        public String saveOnStop;
        @JacksonXmlProperty(isAttribute = true)
        public String source;
        @JacksonXmlProperty(isAttribute = true, localName = "revisions_to_keep")
        public String revisionsToKeep;
        @JacksonXmlProperty(isAttribute = true)
        public String ephemeral;
    }
}
