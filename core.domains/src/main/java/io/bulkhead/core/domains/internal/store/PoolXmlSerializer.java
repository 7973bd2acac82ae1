package io.bulkhead.core.domains.internal.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.dataformat.xml.ser.ToXmlGenerator;
import java.io.IOException;
import java.util.Map;

/** Writes a pool's free-form driver parameters as XML attributes, like qubes.xml does. */
final class PoolXmlSerializer extends StdSerializer<StoreXml.PoolXml> {

    private static final long serialVersionUID = 1L;

    PoolXmlSerializer() {
        super(StoreXml.PoolXml.class);
    }

    @Override
    public void serialize(StoreXml.PoolXml pool, JsonGenerator gen, SerializerProvider provider) throws IOException {
        ToXmlGenerator xml = (ToXmlGenerator) gen;
        xml.writeStartObject();
        writeAttribute(xml, "name", pool.name);
        writeAttribute(xml, "driver", pool.driver);
        for (Map.Entry<String, String> e : pool.params.entrySet()) {
            writeAttribute(xml, e.getKey(), e.getValue());
        }
        xml.writeEndObject();
    }

    private static void writeAttribute(ToXmlGenerator xml, String name, String value) throws IOException {
        xml.setNextIsAttribute(true);
        xml.writeFieldName(name);
        xml.writeString(value);
    }
}
