package dev.weft.mesh.http;

import dev.weft.mesh.api.client.Body;
import dev.weft.mesh.api.client.Delete;
import dev.weft.mesh.api.client.Get;
import dev.weft.mesh.api.client.Head;
import dev.weft.mesh.api.client.Header;
import dev.weft.mesh.api.client.Idempotent;
import dev.weft.mesh.api.client.Patch;
import dev.weft.mesh.api.client.Path;
import dev.weft.mesh.api.client.Post;
import dev.weft.mesh.api.client.Put;
import dev.weft.mesh.api.client.Query;
import dev.weft.mesh.api.client.Timeout;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One method of an annotated client, checked and prepared once: how to make its request and read
 * its answer.
 */
final class MethodPlan {
  private final String service;
  private final String description;
  private final String httpMethod;
  private final PathTemplate template;
  private final Binding[] bindings;
  private final BodyCodec codec;
  private final Type bodyType;
  private final boolean async;
  private final Kind kind;
  private final Type valueType;
  private final boolean idempotent;
  private final Duration timeout;

  /** How the method wants its answer. */
  private enum Kind {
    VOID,
    VALUE,
    OPTIONAL,
    RESPONSE
  }

  /** What one parameter contributes to the request. */
  private record Binding(Role role, String name, Type type) {}

  private enum Role {
    PATH,
    QUERY,
    HEADER,
    BODY
  }

  private MethodPlan(String service, Method m, BodyCodec codec) {
    this.service = service;
    this.description = m.getDeclaringClass().getSimpleName() + "." + m.getName();
    this.codec = codec;
    String verb = null;
    String path = null;
    int verbs = 0;
    for (Annotation a : m.getAnnotations()) {
      String[] vp = verbAndPath(a);
      if (vp != null) {
        verb = vp[0];
        path = vp[1];
        verbs++;
      }
    }
    if (verbs != 1) {
      throw invalid(
          verbs == 0
              ? "has no HTTP method annotation (@Get, @Post, @Put, @Delete, @Patch, @Head)"
              : "has more than one HTTP method annotation");
    }
    try {
      this.template = PathTemplate.parse(path);
    } catch (IllegalArgumentException e) {
      throw invalid("has " + e.getMessage());
    }
    this.httpMethod = verb;
    Set<String> variables = template.variables();
    List<Binding> bs = new ArrayList<>();
    Set<String> bound = new HashSet<>();
    Type body = null;
    Annotation[][] annotations = m.getParameterAnnotations();
    Type[] types = m.getGenericParameterTypes();
    for (int i = 0; i < types.length; i++) {
      Binding b = null;
      int count = 0;
      for (Annotation a : annotations[i]) {
        if (a instanceof Path p) {
          b = new Binding(Role.PATH, p.value(), types[i]);
          count++;
        } else if (a instanceof Query q) {
          b = new Binding(Role.QUERY, q.value(), types[i]);
          count++;
        } else if (a instanceof Header h) {
          b = new Binding(Role.HEADER, h.value(), types[i]);
          count++;
        } else if (a instanceof Body) {
          b = new Binding(Role.BODY, "", types[i]);
          count++;
        }
      }
      if (count != 1) {
        throw invalid(
            "parameter " + (i + 1) + " needs exactly one of @Path, @Query, @Header or @Body");
      }
      if (b.role == Role.PATH) {
        if (!variables.contains(b.name)) {
          throw invalid(
              "binds @Path(\""
                  + b.name
                  + "\") but the template "
                  + path
                  + " has no {"
                  + b.name
                  + "}");
        }
        if (!bound.add(b.name)) {
          throw invalid("binds {" + b.name + "} twice");
        }
      }
      if (b.role == Role.BODY) {
        if (body != null) {
          throw invalid("has more than one @Body parameter");
        }
        if (verb.equals("GET") || verb.equals("HEAD")) {
          throw invalid("sends a @Body with " + verb);
        }
        body = types[i];
      }
      bs.add(b);
    }
    for (String v : variables) {
      if (!bound.contains(v)) {
        throw invalid("has {" + v + "} in its path template but no @Path(\"" + v + "\") parameter");
      }
    }
    this.bindings = bs.toArray(new Binding[0]);
    this.bodyType = body;

    Type returnType = m.getGenericReturnType();
    boolean isAsync = raw(returnType) == CompletableFuture.class;
    if (isAsync) {
      returnType = argument(returnType, "CompletableFuture");
    }
    this.async = isAsync;
    Class<?> raw = raw(returnType);
    if (raw == void.class || raw == Void.class) {
      kind = Kind.VOID;
      valueType = Void.class;
    } else if (raw == Optional.class) {
      kind = Kind.OPTIONAL;
      valueType = argument(returnType, "Optional");
    } else if (raw == HttpResponse.class) {
      kind = Kind.RESPONSE;
      valueType = argument(returnType, "HttpResponse");
    } else {
      kind = Kind.VALUE;
      valueType = returnType;
    }
    this.idempotent = m.isAnnotationPresent(Idempotent.class);
    Timeout t = m.getAnnotation(Timeout.class);
    if (t != null && t.value() <= 0) {
      throw invalid("has a @Timeout that is not positive");
    }
    this.timeout = t == null ? null : Duration.of(t.value(), t.unit());
  }

  static MethodPlan of(String service, Method m, BodyCodec codec) {
    return new MethodPlan(service, m, codec);
  }

  boolean async() {
    return async;
  }

  private IllegalArgumentException invalid(String problem) {
    return new IllegalArgumentException("mesh client method " + description + " " + problem);
  }

  private static String[] verbAndPath(Annotation a) {
    if (a instanceof Get g) {
      return new String[] {"GET", g.value()};
    } else if (a instanceof Post p) {
      return new String[] {"POST", p.value()};
    } else if (a instanceof Put p) {
      return new String[] {"PUT", p.value()};
    } else if (a instanceof Delete d) {
      return new String[] {"DELETE", d.value()};
    } else if (a instanceof Patch p) {
      return new String[] {"PATCH", p.value()};
    } else if (a instanceof Head h) {
      return new String[] {"HEAD", h.value()};
    }
    return null;
  }

  private static Class<?> raw(Type t) {
    if (t instanceof Class<?> c) {
      return c;
    }
    if (t instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    return Object.class;
  }

  private Type argument(Type t, String what) {
    if (t instanceof ParameterizedType p) {
      return p.getActualTypeArguments()[0];
    }
    throw invalid("returns a raw " + what + "; give its type argument");
  }

  /** Builds the request from the arguments and sends it through the mesh. */
  CompletableFuture<Object> call(MeshHttpClient client, Object[] args) {
    Map<String, String> pathValues = new HashMap<>();
    StringBuilder query = new StringBuilder();
    HttpRequest.Builder b = HttpRequest.newBuilder();
    HttpRequest.BodyPublisher publisher = HttpRequest.BodyPublishers.noBody();
    for (int i = 0; i < bindings.length; i++) {
      Binding binding = bindings[i];
      Object arg = args[i];
      switch (binding.role) {
        case PATH -> {
          if (arg == null) {
            throw new IllegalArgumentException(
                description + ": @Path(\"" + binding.name + "\") must not be null");
          }
          pathValues.put(binding.name, String.valueOf(arg));
        }
        case QUERY -> {
          if (arg instanceof Iterable<?> values) {
            for (Object v : values) {
              appendQuery(query, binding.name, v);
            }
          } else if (arg != null) {
            appendQuery(query, binding.name, arg);
          }
        }
        case HEADER -> {
          if (arg != null) {
            b.header(binding.name, String.valueOf(arg));
          }
        }
        case BODY -> {
          if (arg instanceof byte[] bytes) {
            publisher = HttpRequest.BodyPublishers.ofByteArray(bytes);
            b.header("content-type", "application/octet-stream");
          } else if (arg instanceof String s) {
            publisher = HttpRequest.BodyPublishers.ofString(s);
            b.header("content-type", "text/plain; charset=utf-8");
          } else if (arg != null) {
            publisher = HttpRequest.BodyPublishers.ofByteArray(codec.encode(arg, bodyType));
            b.header("content-type", codec.contentType());
          }
        }
      }
    }
    String resolved;
    try {
      resolved = template.expand(pathValues);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(description + ": " + e.getMessage(), e);
    }
    String uri =
        "http://"
            + service
            + resolved
            + (query.length() == 0 ? "" : (template.hasQuery() ? "&" : "?") + query);
    b.uri(URI.create(uri)).method(httpMethod, publisher);
    if (kind != Kind.VOID && !(valueType == byte[].class || valueType == String.class)) {
      b.header("accept", codec.contentType());
    }
    if (timeout != null) {
      b.timeout(timeout);
    }
    HttpRequest request = b.build();
    return client
        .sendAsync(request, HttpResponse.BodyHandlers.ofByteArray(), idempotent)
        .thenApply(response -> answer(request, response));
  }

  private Object answer(HttpRequest request, HttpResponse<byte[]> response) {
    switch (kind) {
      case RESPONSE:
        return new DecodedResponse<>(response, decodeQuietly(response));
      case OPTIONAL:
        if (response.statusCode() == 404) {
          return Optional.empty();
        }
        requireSuccess(request, response);
        return Optional.ofNullable(decode(response.body()));
      case VOID:
        requireSuccess(request, response);
        return null;
      default:
        requireSuccess(request, response);
        return decode(response.body());
    }
  }

  private void requireSuccess(HttpRequest request, HttpResponse<byte[]> response) {
    int status = response.statusCode();
    if (status < 200 || status >= 300) {
      throw new MeshHttpStatusException(
          request.method() + " " + request.uri() + " (" + description + ")",
          status,
          response.headers(),
          response.body() == null ? new byte[0] : response.body());
    }
  }

  private Object decodeQuietly(HttpResponse<byte[]> response) {
    if (response.statusCode() >= 300 && valueType != String.class && valueType != byte[].class) {
      return null; // an error body rarely decodes into the success type; read it as bytes or text
      // instead
    }
    return decode(response.body());
  }

  private Object decode(byte[] body) {
    byte[] bytes = body == null ? new byte[0] : body;
    if (valueType == byte[].class) {
      return bytes;
    }
    if (valueType == String.class) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
    if (valueType == Void.class) {
      return null;
    }
    return codec.decode(bytes, valueType);
  }

  private static void appendQuery(StringBuilder query, String name, Object value) {
    if (query.length() > 0) {
      query.append('&');
    }
    query
        .append(URLEncoder.encode(name, StandardCharsets.UTF_8))
        .append('=')
        .append(URLEncoder.encode(String.valueOf(value), StandardCharsets.UTF_8));
  }
}
