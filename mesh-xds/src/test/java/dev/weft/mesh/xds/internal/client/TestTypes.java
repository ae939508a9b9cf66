package dev.weft.mesh.xds.internal.client;

import com.google.protobuf.Any;
import com.google.protobuf.Api;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Type;

/**
 * Two resource types that mean nothing to the mesh, so the stream machinery is tested on its own:
 * {@code Api} resources parse to their version ("bad" is invalid), {@code Type} resources to their
 * source file name.
 */
final class TestTypes {
  static final XdsResourceType<String> APIS =
      new Kind(Api.class, "type.googleapis.com/google.protobuf.Api", "Api");
  static final XdsResourceType<String> TYPES =
      new Kind(Type.class, "type.googleapis.com/google.protobuf.Type", "Type");

  private TestTypes() {}

  static Api api(String name, String value) {
    return Api.newBuilder().setName(name).setVersion(value).build();
  }

  static Type type(String name, String value) {
    return Type.newBuilder()
        .setName(name)
        .setSourceContext(com.google.protobuf.SourceContext.newBuilder().setFileName(value))
        .build();
  }

  static String nameOf(Message m) {
    return m instanceof Api a ? a.getName() : ((Type) m).getName();
  }

  private static final class Kind implements XdsResourceType<String> {
    private final Class<? extends Message> proto;
    private final String typeUrl;
    private final String shortName;

    Kind(Class<? extends Message> proto, String typeUrl, String shortName) {
      this.proto = proto;
      this.typeUrl = typeUrl;
      this.shortName = shortName;
    }

    @Override
    public String typeUrl() {
      return typeUrl;
    }

    @Override
    public String shortName() {
      return shortName;
    }

    @Override
    public boolean allResourcesRequired() {
      return false;
    }

    @Override
    public Parsed<String> parse(Any resource) {
      Message m;
      try {
        m = resource.unpack(proto);
      } catch (InvalidProtocolBufferException e) {
        return Parsed.invalid("", e.getMessage());
      }
      String value =
          m instanceof Api a ? a.getVersion() : ((Type) m).getSourceContext().getFileName();
      return value.equals("bad")
          ? Parsed.invalid(nameOf(m), "value: bad")
          : Parsed.valid(nameOf(m), value);
    }
  }
}
