package dev.weft.mesh.http;

import java.lang.reflect.Type;

/**
 * Turns request bodies into bytes and response bodies into objects for annotated clients. The
 * default is JSON with Jackson ({@link BodyCodecs#json()}). Implementations are thread-safe.
 */
public interface BodyCodec {

  /** The content type of encoded bodies, for example {@code application/json}. */
  String contentType();

  /** Encodes a request body. */
  byte[] encode(Object value, Type type);

  /** Decodes a response body into {@code type}; {@code body} may be empty. */
  Object decode(byte[] body, Type type);
}
