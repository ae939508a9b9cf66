package dev.weft.mesh.http;

import dev.weft.mesh.api.client.MeshClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The dynamic proxy behind an annotated client interface. Every method is checked and planned when
 * the client is made, so a mistake in the annotations fails at start-up, naming the method.
 */
final class ClientProxy implements InvocationHandler {
  private final Class<?> type;
  private final String service;
  private final Map<Method, MethodPlan> plans;
  private final MeshHttpClient client;

  private ClientProxy(
      Class<?> type, String service, Map<Method, MethodPlan> plans, MeshHttpClient client) {
    this.type = type;
    this.service = service;
    this.plans = plans;
    this.client = client;
  }

  static <T> T create(MeshHttpClient client, Class<T> type, BodyCodec codec) {
    if (!type.isInterface()) {
      throw new IllegalArgumentException(
          type.getName() + " is not an interface; annotated mesh clients are interfaces");
    }
    MeshClient annotation = type.getAnnotation(MeshClient.class);
    if (annotation == null || annotation.value().isBlank()) {
      throw new IllegalArgumentException(type.getName() + " needs @MeshClient(\"service-name\")");
    }
    Map<Method, MethodPlan> plans = new HashMap<>();
    for (Method m : type.getMethods()) {
      if (m.isDefault() || Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      plans.put(m, MethodPlan.of(annotation.value(), m, codec));
    }
    Object proxy =
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            new ClientProxy(type, annotation.value(), Map.copyOf(plans), client));
    return type.cast(proxy);
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    if (method.getDeclaringClass() == Object.class) {
      switch (method.getName()) {
        case "equals":
          return proxy == args[0];
        case "hashCode":
          return System.identityHashCode(proxy);
        case "toString":
          return "MeshClient(" + service + ") " + type.getName();
        default:
          return method.invoke(this, args);
      }
    }
    if (method.isDefault()) {
      return InvocationHandler.invokeDefault(proxy, method, args);
    }
    MethodPlan plan = plans.get(method);
    Object[] arguments = args == null ? new Object[0] : args;
    CompletableFuture<Object> result = plan.call(client, arguments);
    if (plan.async()) {
      return result;
    }
    try {
      return result.get();
    } catch (InterruptedException e) {
      result.cancel(true);
      Thread.currentThread().interrupt();
      throw e;
    } catch (ExecutionException e) {
      throw rethrowable(method, e.getCause());
    }
  }

  /** The cause as the method may throw it: unchecked as is, checked only if declared. */
  private static Throwable rethrowable(Method method, Throwable cause) {
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof RuntimeException || cause instanceof Error) {
      return cause;
    }
    for (Class<?> declared : method.getExceptionTypes()) {
      if (declared.isInstance(cause)) {
        return cause;
      }
    }
    if (cause instanceof IOException io) {
      return new UncheckedIOException(io.getMessage(), io);
    }
    return new IllegalStateException(cause);
  }
}
