package dev.weft.mesh.api.config;

import java.util.List;

/** The gRPC status code names, so the model can validate them without depending on grpc-java. */
final class GrpcStatusNames {
  static final List<String> NAMES =
      List.of(
          "OK",
          "CANCELLED",
          "UNKNOWN",
          "INVALID_ARGUMENT",
          "DEADLINE_EXCEEDED",
          "NOT_FOUND",
          "ALREADY_EXISTS",
          "PERMISSION_DENIED",
          "RESOURCE_EXHAUSTED",
          "FAILED_PRECONDITION",
          "ABORTED",
          "OUT_OF_RANGE",
          "UNIMPLEMENTED",
          "INTERNAL",
          "UNAVAILABLE",
          "DATA_LOSS",
          "UNAUTHENTICATED");

  static boolean isValid(String name) {
    return NAMES.contains(name) && !name.equals("OK");
  }

  private GrpcStatusNames() {}
}
