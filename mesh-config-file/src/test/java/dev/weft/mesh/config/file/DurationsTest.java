package dev.weft.mesh.config.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class DurationsTest {

  @Test
  void parsesEveryUnitFractionsAndSums() {
    assertThat(Durations.parse("0")).isZero();
    assertThat(Durations.parse("0s")).isZero();
    assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(Durations.parse("10us")).isEqualTo(Duration.ofNanos(10_000));
    assertThat(Durations.parse("10µs")).isEqualTo(Duration.ofNanos(10_000));
    assertThat(Durations.parse("7ns")).isEqualTo(Duration.ofNanos(7));
    assertThat(Durations.parse("1h30m15.5s")).isEqualTo(Duration.ofSeconds(5415, 500_000_000));
    assertThat(Durations.parse("-3s")).isEqualTo(Duration.ofSeconds(-3));
  }

  @Test
  void explainsWhatIsWrong() {
    assertThatThrownBy(() -> Durations.parse("30"))
        .hasMessage("needs a unit, for example '30s' (units: ns, us, ms, s, m, h); was '30'");
    assertThatThrownBy(() -> Durations.parse("1h30"))
        .hasMessage("needs a unit after each number (ns, us, ms, s, m, h); was '1h30'");
    assertThatThrownBy(() -> Durations.parse("3 days"))
        .hasMessage("must be a duration such as '250ms', '1.5s', '2m' or '1h'; was '3 days'");
    assertThatThrownBy(() -> Durations.parse("3d"))
        .hasMessage("has the unknown unit 'd'; use ns, us, ms, s, m or h; was '3d'");
    assertThatThrownBy(() -> Durations.parse("1.5ns"))
        .hasMessage("is finer than a nanosecond: '1.5ns'");
    assertThatThrownBy(() -> Durations.parse("9999999999999999999h"))
        .hasMessage("is too long: '9999999999999999999h'");
    assertThatThrownBy(() -> Durations.parse(""))
        .hasMessage("must be a duration such as '250ms', '1.5s', '2m' or '1h'; was ''");
  }

  @Test
  void formatsInTheLargestExactUnit() {
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(Durations.format(Duration.ofSeconds(300))).isEqualTo("5m");
    assertThat(Durations.format(Duration.ofHours(3))).isEqualTo("3h");
    assertThat(Durations.format(Duration.ofNanos(1_000_001))).isEqualTo("1000001ns");
    assertThat(Durations.format(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999)))
        .isEqualTo("9223372036854775807.999999999s");
  }

  @Property(tries = 500)
  void formatAndParseAreInverses(
      @ForAll long seconds, @ForAll @LongRange(min = 0, max = 999_999_999) long nanos) {
    Duration d = Duration.ofSeconds(seconds, nanos);

    assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
  }
}
