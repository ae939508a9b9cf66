package dev.weft.mesh.core.internal.lb;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class XxHash64Test {

  @Test
  void matchesReferenceVectors() {
    assertThat(XxHash64.hash("", 0)).isEqualTo(0xEF46DB3751D8E999L);
    assertThat(XxHash64.hash("a", 0)).isEqualTo(0xD24EC4F1A98C6E5BL);
    assertThat(XxHash64.hash("abc", 0)).isEqualTo(0x44BC2CF5AD770999L);
    assertThat(XxHash64.hash("1234", 0)).isEqualTo(0xD8316E61D84F6BA4L);
    assertThat(XxHash64.hash("12345678", 0)).isEqualTo(0xD2D02F08CF7CFD4AL);
    assertThat(XxHash64.hash("123456789012345", 0)).isEqualTo(0xC377D78ADE001A3CL);
    assertThat(XxHash64.hash("1234567890123456", 0)).isEqualTo(0xB61C33DC6C59F270L);
    assertThat(XxHash64.hash("1234567890123456789012345678901", 0)).isEqualTo(0x8F367CB873A5376EL);
    assertThat(XxHash64.hash("12345678901234567890123456789012", 0)).isEqualTo(0x40FD1AA52D98274CL);
    assertThat(XxHash64.hash("The quick brown fox jumps over the lazy dog", 0))
        .isEqualTo(0x0B242D361FDA71BCL);
  }

  @Test
  void matchesReferenceVectorsWithSeed() {
    assertThat(XxHash64.hash("", 5381)).isEqualTo(0xAF382146D5C3CACFL);
    assertThat(XxHash64.hash("abc", 5381)).isEqualTo(0x19D1C1B5C673451FL);
    assertThat(XxHash64.hash("12345678901234567890123456789012", 5381))
        .isEqualTo(0x38EA26E7C55F8095L);
  }

  @Test
  void ringKeysHashLikeTheirStrings() {
    HashKeys keys = new HashKeys("10.0.0.1:8080");
    for (long n : new long[] {0, 7, 9, 10, 99, 100, 12345, 1_000_000_000_000L}) {
      assertThat(keys.hash(n)).as("key %d", n).isEqualTo(XxHash64.hash("10.0.0.1:8080_" + n, 0));
    }
  }
}
