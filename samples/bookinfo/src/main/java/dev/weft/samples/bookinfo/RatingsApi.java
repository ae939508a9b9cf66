package dev.weft.samples.bookinfo;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The ratings service's gRPC contract, written by hand instead of generated from a {@code .proto}
 * file so that the sample builds without protoc: one unary method whose messages are JSON.
 */
final class RatingsApi {
  static final String SERVICE = "bookinfo.Ratings";

  /** Asks for the ratings of one product. */
  record RatingsRequest(int productId) {}

  /** Stars per reviewer. */
  record RatingsReply(int productId, Map<String, Integer> ratings) {}

  static final MethodDescriptor<RatingsRequest, RatingsReply> GET_RATINGS =
      MethodDescriptor.<RatingsRequest, RatingsReply>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "GetRatings"))
          .setRequestMarshaller(new JsonMarshaller<>(RatingsRequest.class))
          .setResponseMarshaller(new JsonMarshaller<>(RatingsReply.class))
          .setIdempotent(true)
          .build();

  static final ObjectMapper JSON = new ObjectMapper();

  private static final class JsonMarshaller<T> implements MethodDescriptor.Marshaller<T> {
    private final Class<T> type;

    JsonMarshaller(Class<T> type) {
      this.type = type;
    }

    @Override
    public InputStream stream(T value) {
      try {
        return new ByteArrayInputStream(JSON.writeValueAsBytes(value));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public T parse(InputStream stream) {
      try (stream) {
        return JSON.readValue(stream, type);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private RatingsApi() {}
}
