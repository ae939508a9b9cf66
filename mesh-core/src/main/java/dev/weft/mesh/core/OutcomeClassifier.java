package dev.weft.mesh.core;

import dev.weft.mesh.api.MeshException;
import dev.weft.mesh.api.config.RetryOn;
import dev.weft.mesh.core.internal.health.OutcomeClass;
import dev.weft.mesh.core.spi.AttemptOutcome;
import dev.weft.mesh.core.spi.CallGuard;
import java.util.Set;

/**
 * Turns protocol outcomes into the engine's decisions, with Envoy's meanings of the retry
 * conditions so that configurations behave the same here as there.
 */
final class OutcomeClassifier {

  /** Whether an attempt that ended so matches any of {@code conditions}. */
  static boolean matches(
      AttemptOutcome o, Set<RetryOn> conditions, Set<Integer> retriableStatusCodes) {
    if (conditions.isEmpty()) {
      return false;
    }
    switch (o.kind()) {
      case CONNECT_FAILURE:
        return conditions.contains(RetryOn.CONNECT_FAILURE)
            || conditions.contains(RetryOn.FIVE_XX)
            || conditions.contains(RetryOn.GATEWAY_ERROR)
            || conditions.contains(RetryOn.UNAVAILABLE);
      case REFUSED_STREAM:
        return conditions.contains(RetryOn.REFUSED_STREAM)
            || conditions.contains(RetryOn.FIVE_XX)
            || conditions.contains(RetryOn.UNAVAILABLE);
      case RESET:
        return conditions.contains(RetryOn.RESET)
            || conditions.contains(RetryOn.FIVE_XX)
            || conditions.contains(RetryOn.UNAVAILABLE);
      case TIMEOUT:
        // Envoy retries a per-try timeout under 5xx, gateway-error and reset.
        return conditions.contains(RetryOn.FIVE_XX)
            || conditions.contains(RetryOn.GATEWAY_ERROR)
            || conditions.contains(RetryOn.RESET)
            || conditions.contains(RetryOn.DEADLINE_EXCEEDED);
      case CANCELLED:
        return false;
      case RESPONSE:
        return o.isGrpc()
            ? matchesGrpc(o.grpcStatus(), conditions)
            : matchesHttp(o.httpStatus(), conditions, retriableStatusCodes);
      default:
        throw new AssertionError(o.kind());
    }
  }

  private static boolean matchesGrpc(String status, Set<RetryOn> conditions) {
    switch (status) {
      case "CANCELLED":
        return conditions.contains(RetryOn.CANCELLED);
      case "DEADLINE_EXCEEDED":
        return conditions.contains(RetryOn.DEADLINE_EXCEEDED);
      case "INTERNAL":
        return conditions.contains(RetryOn.INTERNAL);
      case "RESOURCE_EXHAUSTED":
        return conditions.contains(RetryOn.RESOURCE_EXHAUSTED);
      case "UNAVAILABLE":
        return conditions.contains(RetryOn.UNAVAILABLE);
      default:
        return false;
    }
  }

  private static boolean matchesHttp(int status, Set<RetryOn> conditions, Set<Integer> codes) {
    if (status >= 500 && conditions.contains(RetryOn.FIVE_XX)) {
      return true;
    }
    if ((status == 502 || status == 503 || status == 504)
        && conditions.contains(RetryOn.GATEWAY_ERROR)) {
      return true;
    }
    if (status == 409 && conditions.contains(RetryOn.RETRIABLE_4XX)) {
      return true;
    }
    return conditions.contains(RetryOn.RETRIABLE_STATUS_CODES) && codes.contains(status);
  }

  /** Whether the attempt succeeded from the caller's point of view (for the call's outcome tag). */
  static boolean success(AttemptOutcome o) {
    if (o.kind() != AttemptOutcome.Kind.RESPONSE) {
      return false;
    }
    return o.isGrpc() ? o.grpcStatus().equals("OK") : o.httpStatus() < 400;
  }

  /** The metric outcome tag: success, client_error, server_error, transport_error or cancelled. */
  static String outcomeTag(AttemptOutcome o) {
    switch (o.kind()) {
      case RESPONSE:
        if (success(o)) {
          return "success";
        }
        if (o.isGrpc()) {
          return serverSideGrpc(o.grpcStatus()) ? "server_error" : "client_error";
        }
        return o.httpStatus() >= 500 ? "server_error" : "client_error";
      case CANCELLED:
        return "cancelled";
      default:
        return "transport_error";
    }
  }

  /**
   * What the end of an admitted call tells its {@link CallGuard}s: the call's outcome tag read as a
   * failure rate reads it (server and transport errors fail, client errors do not), and of the
   * mesh's own failures only those that say the service could not serve the call.
   */
  static CallGuard.Verdict guardVerdict(AttemptOutcome outcome, MeshException failure) {
    if (failure != null) {
      return switch (failure.reason()) {
        case DEADLINE_EXCEEDED, NO_ENDPOINTS, ALL_UNHEALTHY, ALL_EJECTED ->
            CallGuard.Verdict.FAILURE;
        default -> CallGuard.Verdict.NOT_COUNTED;
      };
    }
    return switch (outcomeTag(outcome)) {
      case "success", "client_error" -> CallGuard.Verdict.SUCCESS;
      case "cancelled" -> CallGuard.Verdict.NOT_COUNTED;
      default -> CallGuard.Verdict.FAILURE;
    };
  }

  private static boolean serverSideGrpc(String status) {
    switch (status) {
      case "UNKNOWN":
      case "DEADLINE_EXCEEDED":
      case "RESOURCE_EXHAUSTED":
      case "UNIMPLEMENTED":
      case "INTERNAL":
      case "UNAVAILABLE":
      case "DATA_LOSS":
        return true;
      default:
        return false;
    }
  }

  /**
   * What the attempt says about the endpoint's health, as Envoy's outlier detection reads it: gRPC
   * statuses count through their HTTP equivalents (UNAVAILABLE is a 503, INTERNAL a 500).
   */
  static OutcomeClass outlierClass(AttemptOutcome o) {
    switch (o.kind()) {
      case CONNECT_FAILURE:
      case REFUSED_STREAM:
      case RESET:
      case TIMEOUT:
        return OutcomeClass.GATEWAY_FAILURE;
      case CANCELLED:
        return OutcomeClass.LOCAL;
      default:
        break;
    }
    if (o.isGrpc()) {
      switch (o.grpcStatus()) {
        case "UNAVAILABLE":
        case "DEADLINE_EXCEEDED":
          return OutcomeClass.GATEWAY_FAILURE;
        case "INTERNAL":
        case "UNKNOWN":
        case "DATA_LOSS":
          return OutcomeClass.FAILURE;
        case "CANCELLED":
          return OutcomeClass.LOCAL;
        default:
          return OutcomeClass.SUCCESS;
      }
    }
    int s = o.httpStatus();
    if (s == 502 || s == 503 || s == 504) {
      return OutcomeClass.GATEWAY_FAILURE;
    }
    return s >= 500 ? OutcomeClass.FAILURE : OutcomeClass.SUCCESS;
  }

  private OutcomeClassifier() {}
}
