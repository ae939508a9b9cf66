package dev.weft.mesh.http;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Type;

/** JSON bodies through Jackson. */
final class JacksonBodyCodec implements BodyCodec {
  private final ObjectMapper mapper;

  JacksonBodyCodec(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  static JacksonBodyCodec withDefaults() {
    ObjectMapper m = new ObjectMapper().findAndRegisterModules();
    m.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    return new JacksonBodyCodec(m);
  }

  @Override
  public String contentType() {
    return "application/json";
  }

  @Override
  public byte[] encode(Object value, Type type) {
    try {
      return mapper.writerFor(mapper.constructType(type)).writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot encode a " + type.getTypeName() + " as JSON: " + e.getMessage(), e);
    }
  }

  @Override
  public Object decode(byte[] body, Type type) {
    if (body.length == 0) {
      return null;
    }
    JavaType javaType = mapper.constructType(type);
    try {
      return mapper.readValue(body, javaType);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot decode the response body as " + type.getTypeName() + ": " + e.getMessage(), e);
    }
  }
}
