package dev.weft.mesh.xds;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random field changes of a protobuf message through reflection: set a scalar to an edge value,
 * pick another enum constant, clear or reset a message, add, drop or mutate a list element, descend
 * into set fields. Deterministic for a seed.
 */
final class ProtoMutator {
  private static final int[] INTS = {
    0, 1, -1, 2, 5, 100, 65_535, 65_536, Integer.MAX_VALUE, Integer.MIN_VALUE
  };
  private static final long[] LONGS = {
    0, 1, -1, 30, 86_400, 315_576_000_000L, Long.MAX_VALUE, Long.MIN_VALUE
  };
  private static final double[] DOUBLES = {
    0, -1, 0.5, 50, 100, 1e12, Double.NaN, Double.POSITIVE_INFINITY
  };
  private static final String[] STRINGS = {
    "",
    "x",
    " ",
    "/",
    "*",
    "[",
    "(?i)/api/.*",
    "a b",
    "outbound|9080|v1|reviews",
    "reviews.default.svc.cluster.local:9080",
    "9080",
    "127.0.0.1",
    "type.googleapis.com/unknown.Type",
    "5xx,unavailable"
  };

  private final Random random;

  ProtoMutator(long seed) {
    this.random = new Random(seed);
  }

  @SuppressWarnings("unchecked")
  <T extends Message> T mutate(T message, int changes) {
    Message m = message;
    for (int i = 0; i < changes; i++) {
      m = mutateOnce(m, 0);
    }
    return (T) m;
  }

  private Message mutateOnce(Message m, int depth) {
    Message.Builder b = m.toBuilder();
    List<FieldDescriptor> set = new ArrayList<>(b.getAllFields().keySet());
    List<FieldDescriptor> all = b.getDescriptorForType().getFields();
    if (all.isEmpty()) {
      return m;
    }
    // Mostly descend into or change what is set, so that changes land deep in realistic shapes.
    FieldDescriptor f =
        !set.isEmpty() && random.nextInt(4) > 0
            ? set.get(random.nextInt(set.size()))
            : all.get(random.nextInt(all.size()));
    if (f.isMapField()) {
      b.clearField(f);
    } else if (f.isRepeated()) {
      int n = b.getRepeatedFieldCount(f);
      int op = random.nextInt(3);
      if (n > 0 && op == 0) {
        List<Object> list = new ArrayList<>((List<?>) b.getField(f));
        list.remove(random.nextInt(n));
        b.setField(f, list);
      } else if (n > 0
          && op == 1
          && f.getJavaType() == FieldDescriptor.JavaType.MESSAGE
          && depth < 8) {
        int index = random.nextInt(n);
        b.setRepeatedField(f, index, mutateOnce((Message) b.getRepeatedField(f, index), depth + 1));
      } else if (n > 0 && f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        b.addRepeatedField(f, b.getRepeatedField(f, random.nextInt(n)));
      } else {
        b.addRepeatedField(f, value(f, b));
      }
    } else if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
      int op = random.nextInt(4);
      if (b.hasField(f) && op < 2 && depth < 8) {
        b.setField(f, mutateOnce((Message) b.getField(f), depth + 1));
      } else if (op == 2) {
        b.clearField(f);
      } else {
        b.setField(f, value(f, b));
      }
    } else {
      b.setField(f, value(f, b));
    }
    return b.build();
  }

  private Object value(FieldDescriptor f, Message.Builder parent) {
    return switch (f.getJavaType()) {
      case INT -> INTS[random.nextInt(INTS.length)];
      case LONG -> LONGS[random.nextInt(LONGS.length)];
      case FLOAT -> (float) DOUBLES[random.nextInt(DOUBLES.length)];
      case DOUBLE -> DOUBLES[random.nextInt(DOUBLES.length)];
      case BOOLEAN -> random.nextBoolean();
      case STRING -> STRINGS[random.nextInt(STRINGS.length)];
      case BYTE_STRING -> ByteString.copyFromUtf8(STRINGS[random.nextInt(STRINGS.length)]);
      case ENUM -> {
        List<EnumValueDescriptor> values = f.getEnumType().getValues();
        yield values.get(random.nextInt(values.size()));
      }
      case MESSAGE -> parent.newBuilderForField(f).build();
    };
  }
}
