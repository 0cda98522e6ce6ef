package io.tributary.bridge.format;

import io.tributary.schemas.registry.ConfluentWireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/** Avro data in the Confluent wire format: the 5-byte header (magic byte, schema id), then Avro binary. */
final class WireFormat {

    private WireFormat() {
    }

    static <T> byte[] write(byte[] header, T datum, DatumWriter<T> writer, int sizeHint) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(sizeHint + header.length);
        out.writeBytes(header);
        try {
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            writer.write(datum, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The datum after the header of {@code value} (which {@link ConfluentWireFormat#isConfluentFormat} accepts). */
    static <T> T read(byte[] value, DatumReader<T> reader) throws IOException {
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(value, ConfluentWireFormat.HEADER_LENGTH,
                value.length - ConfluentWireFormat.HEADER_LENGTH, null);
        return reader.read(null, decoder);
    }
}
