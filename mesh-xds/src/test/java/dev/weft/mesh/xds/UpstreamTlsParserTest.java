package dev.weft.mesh.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.ByteString;
import com.google.protobuf.UInt32Value;
import dev.weft.mesh.api.config.TlsSettings;
import dev.weft.mesh.xds.bootstrap.Bootstrap;
import dev.weft.mesh.xds.internal.client.XdsResourceType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.config.core.v3.WatchedDirectory;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateProviderPluginInstance;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext.CertificateProviderInstance;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext.CombinedCertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher.SanType;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsKeyLog;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Upstream TLS (gRFC A29): every accepted form of the same settings gives the same {@link
 * TlsSettings}; every setting Weft's verifier cannot enforce exactly refuses the cluster, naming
 * the field.
 */
class UpstreamTlsParserTest {
  static final String RATINGS = "spiffe://weft.test/ns/default/sa/ratings";
  static final Bootstrap.CertificateProvider DEFAULT =
      new Bootstrap.CertificateProvider(
          "default",
          "file_watcher",
          "/etc/certs/cert-chain.pem",
          "/etc/certs/key.pem",
          "/etc/certs/root-cert.pem",
          Duration.ofMinutes(10));
  static final Bootstrap.CertificateProvider CA_ONLY =
      new Bootstrap.CertificateProvider(
          "ca-only", "file_watcher", "", "", "/etc/certs/other-root.pem", Duration.ofMinutes(10));
  static final Bootstrap.CertificateProvider KEY_ONLY =
      new Bootstrap.CertificateProvider(
          "key-only",
          "file_watcher",
          "/etc/certs/other-chain.pem",
          "/etc/certs/other-key.pem",
          "",
          Duration.ofMinutes(10));
  static final XdsResourceTypes TYPES =
      new XdsResourceTypes(Map.of("default", DEFAULT, "ca-only", CA_ONLY, "key-only", KEY_ONLY));

  static final String T = "transport_socket.typed_config";
  static final String C = T + ".common_tls_context";
  static final String COMBINED = C + ".combined_validation_context";
  static final String V = COMBINED + ".default_validation_context";
  static final String TYPED = V + ".match_typed_subject_alt_names[0]";

  static final TlsSettings EXPECTED =
      new TlsSettings(
          TlsSettings.Mode.MUTUAL,
          DEFAULT.certificateFile(),
          DEFAULT.privateKeyFile(),
          DEFAULT.caCertificateFile(),
          List.of(RATINGS),
          "outbound_.9080_._.ratings");

  static CertificateProviderPluginInstance instance(String name) {
    return CertificateProviderPluginInstance.newBuilder()
        .setInstanceName(name)
        .setCertificateName("default")
        .build();
  }

  static CertificateProviderInstance oldInstance(String name) {
    return CertificateProviderInstance.newBuilder()
        .setInstanceName(name)
        .setCertificateName("ROOTCA")
        .build();
  }

  static StringMatcher exact(String value) {
    return StringMatcher.newBuilder().setExact(value).build();
  }

  static SubjectAltNameMatcher uri(StringMatcher m) {
    return SubjectAltNameMatcher.newBuilder().setSanType(SanType.URI).setMatcher(m).build();
  }

  /** The current form: provider instances, a combined context and typed SAN matchers. */
  static UpstreamTlsContext current() {
    return UpstreamTlsContext.newBuilder()
        .setSni(EXPECTED.sni())
        .setCommonTlsContext(
            CommonTlsContext.newBuilder()
                .setTlsCertificateProviderInstance(instance("default"))
                .setCombinedValidationContext(
                    CombinedCertificateValidationContext.newBuilder()
                        .setDefaultValidationContext(
                            CertificateValidationContext.newBuilder()
                                .setCaCertificateProviderInstance(instance("default"))
                                .addMatchTypedSubjectAltNames(uri(exact(RATINGS))))))
        .build();
  }

  /** What Istio's proxyless generator sends: the deprecated names throughout. */
  static UpstreamTlsContext istio() {
    return UpstreamTlsContext.newBuilder()
        .setSni(EXPECTED.sni())
        .setCommonTlsContext(
            CommonTlsContext.newBuilder()
                .setTlsCertificateCertificateProviderInstance(oldInstance("default"))
                .setCombinedValidationContext(
                    CombinedCertificateValidationContext.newBuilder()
                        .setValidationContextCertificateProviderInstance(oldInstance("default"))
                        .setDefaultValidationContext(
                            CertificateValidationContext.newBuilder()
                                .addMatchSubjectAltNames(exact(RATINGS)))))
        .build();
  }

  /** The current form with {@code validation_context} instead of the combined one. */
  static UpstreamTlsContext plainValidationContext(boolean typed) {
    CertificateValidationContext.Builder v =
        CertificateValidationContext.newBuilder()
            .setCaCertificateProviderInstance(instance("default"));
    if (typed) {
      v.addMatchTypedSubjectAltNames(uri(exact(RATINGS)));
    } else {
      v.addMatchSubjectAltNames(exact(RATINGS));
    }
    return UpstreamTlsContext.newBuilder()
        .setSni(EXPECTED.sni())
        .setCommonTlsContext(
            CommonTlsContext.newBuilder()
                .setTlsCertificateProviderInstance(instance("default"))
                .setValidationContext(v))
        .build();
  }

  static Cluster cluster(UpstreamTlsContext tls) {
    return RichResources.cluster(RichResources.V1).toBuilder()
        .setTransportSocket(
            TransportSocket.newBuilder()
                .setName("envoy.transport_sockets.tls")
                .setTypedConfig(Any.pack(tls)))
        .build();
  }

  static TlsSettings settings(UpstreamTlsContext tls) {
    XdsResourceType.Parsed<XdsValues.XdsCluster> p = TYPES.clusters.parse(Any.pack(cluster(tls)));
    assertThat(p.error()).isNull();
    return p.value().cluster().tls();
  }

  static String error(Cluster c) {
    XdsResourceType.Parsed<XdsValues.XdsCluster> p = TYPES.clusters.parse(Any.pack(c));
    assertThat(p.isValid()).as("expected the cluster to be refused: %s", c).isFalse();
    return p.error();
  }

  @Test
  void typedAndDeprecatedFormsGiveTheSameSettings() {
    assertThat(settings(current())).isEqualTo(EXPECTED);
    assertThat(settings(istio())).isEqualTo(EXPECTED);
    assertThat(settings(plainValidationContext(true))).isEqualTo(EXPECTED);
    assertThat(settings(plainValidationContext(false))).isEqualTo(EXPECTED);
    UpstreamTlsContext.Builder deprecatedSans = current().toBuilder();
    deprecatedSans
        .getCommonTlsContextBuilder()
        .getCombinedValidationContextBuilder()
        .getDefaultValidationContextBuilder()
        .clearMatchTypedSubjectAltNames()
        .addMatchSubjectAltNames(exact(RATINGS));
    assertThat(settings(deprecatedSans.build())).isEqualTo(EXPECTED);
  }

  @Test
  void aTypelessExactNameIsComparedExactlyWithTheCertificatesNames() {
    UpstreamTlsContext.Builder b = istio().toBuilder();
    b.getCommonTlsContextBuilder()
        .getCombinedValidationContextBuilder()
        .getDefaultValidationContextBuilder()
        .addMatchSubjectAltNames(exact("ratings.default.svc"));
    assertThat(settings(b.build()).subjectAltNames())
        .containsExactly(RATINGS, "ratings.default.svc");
  }

  @Test
  void theDeprecatedTopLevelCaProviderGivesTheSameCa() {
    UpstreamTlsContext.Builder b = current().toBuilder();
    b.getCommonTlsContextBuilder()
        .clearCombinedValidationContext()
        .setValidationContextCertificateProviderInstance(oldInstance("default"));
    assertThat(settings(b.build()))
        .isEqualTo(
            new TlsSettings(
                EXPECTED.mode(),
                EXPECTED.certificateChain(),
                EXPECTED.privateKey(),
                EXPECTED.caCertificates(),
                List.of(),
                EXPECTED.sni()));
  }

  @Test
  void aSpiffePrefixEndingInASlashBecomesAWeftPrefixPattern() {
    String prefix = "spiffe://weft.test/ns/default/";
    UpstreamTlsContext.Builder typed = current().toBuilder();
    typed
        .getCommonTlsContextBuilder()
        .getCombinedValidationContextBuilder()
        .getDefaultValidationContextBuilder()
        .clearMatchTypedSubjectAltNames()
        .addMatchTypedSubjectAltNames(uri(StringMatcher.newBuilder().setPrefix(prefix).build()));
    UpstreamTlsContext.Builder deprecated = istio().toBuilder();
    deprecated
        .getCommonTlsContextBuilder()
        .getCombinedValidationContextBuilder()
        .getDefaultValidationContextBuilder()
        .clearMatchSubjectAltNames()
        .addMatchSubjectAltNames(StringMatcher.newBuilder().setPrefix(prefix));
    assertThat(settings(typed.build()).subjectAltNames())
        .containsExactly("spiffe://weft.test/ns/default/*");
    assertThat(settings(deprecated.build())).isEqualTo(settings(typed.build()));
  }

  @Test
  void settingsThatChangeNothingVerifiedAreAccepted() {
    UpstreamTlsContext.Builder b = current().toBuilder();
    b.setMaxSessionKeys(UInt32Value.of(4)).setEnforceRsaKeyUsage(BoolValue.of(false));
    b.getCommonTlsContextBuilder()
        .addAlpnProtocols("h2")
        .setTlsParams(TlsParameters.getDefaultInstance());
    b.getCommonTlsContextBuilder()
        .getCombinedValidationContextBuilder()
        .getDefaultValidationContextBuilder()
        .setTrustChainVerification(
            CertificateValidationContext.TrustChainVerification.VERIFY_TRUST_CHAIN)
        .setRequireSignedCertificateTimestamp(BoolValue.of(false));
    assertThat(settings(b.build())).isEqualTo(EXPECTED);
  }

  @Test
  void filesAreTakenAsTheyAre() {
    UpstreamTlsContext.Builder b = current().toBuilder();
    b.getCommonTlsContextBuilder()
        .clearTlsCertificateProviderInstance()
        .addTlsCertificates(
            TlsCertificate.newBuilder()
                .setCertificateChain(DataSource.newBuilder().setFilename("/f/chain.pem"))
                .setPrivateKey(DataSource.newBuilder().setFilename("/f/key.pem"))
                .setWatchedDirectory(WatchedDirectory.newBuilder().setPath("/f")))
        .getCombinedValidationContextBuilder()
        .getDefaultValidationContextBuilder()
        .clearCaCertificateProviderInstance()
        .setTrustedCa(DataSource.newBuilder().setFilename("/f/ca.pem"))
        .setWatchedDirectory(WatchedDirectory.newBuilder().setPath("/f"));
    TlsSettings s = settings(b.build());
    assertThat(List.of(s.certificateChain(), s.privateKey(), s.caCertificates()))
        .containsExactly("/f/chain.pem", "/f/key.pem", "/f/ca.pem");
  }

  @Test
  void withoutACertificateTheClientAuthenticatesTheServerOnly() {
    UpstreamTlsContext.Builder b = current().toBuilder();
    b.getCommonTlsContextBuilder().clearTlsCertificateProviderInstance();
    TlsSettings s = settings(b.build());
    assertThat(s.mode()).isEqualTo(TlsSettings.Mode.SIMPLE);
    assertThat(s.certificateChain()).isEmpty();
  }

  static Stream<Arguments> unknownProviders() {
    return Stream.of(
        Arguments.of(
            C + ".tls_certificate_provider_instance",
            (UnaryOperator<UpstreamTlsContext>)
                t ->
                    with(
                        t,
                        b ->
                            b.getCommonTlsContextBuilder()
                                .setTlsCertificateProviderInstance(instance("nope")))),
        Arguments.of(
            C + ".tls_certificate_certificate_provider_instance",
            (UnaryOperator<UpstreamTlsContext>)
                t ->
                    with(
                        istio(),
                        b ->
                            b.getCommonTlsContextBuilder()
                                .setTlsCertificateCertificateProviderInstance(
                                    oldInstance("nope")))),
        Arguments.of(
            V + ".ca_certificate_provider_instance",
            (UnaryOperator<UpstreamTlsContext>)
                t ->
                    with(t, b -> validation(b).setCaCertificateProviderInstance(instance("nope")))),
        Arguments.of(
            COMBINED + ".validation_context_certificate_provider_instance",
            (UnaryOperator<UpstreamTlsContext>)
                t ->
                    with(
                        istio(),
                        b ->
                            b.getCommonTlsContextBuilder()
                                .getCombinedValidationContextBuilder()
                                .setValidationContextCertificateProviderInstance(
                                    oldInstance("nope")))),
        Arguments.of(
            C + ".validation_context_certificate_provider_instance",
            (UnaryOperator<UpstreamTlsContext>)
                t ->
                    with(
                        t,
                        b ->
                            b.getCommonTlsContextBuilder()
                                .setValidationContextCertificateProviderInstance(
                                    oldInstance("nope")))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unknownProviders")
  void aProviderTheBootstrapDoesNotDeclareIsRefusedByName(
      String field, UnaryOperator<UpstreamTlsContext> change) {
    assertThat(error(cluster(change.apply(current()))))
        .startsWith(field + ".instance_name: ")
        .contains("'nope'")
        .contains("[ca-only, default, key-only]");
  }

  @Test
  void aProviderWithoutTheFilesNeededIsRefused() {
    assertThat(
            error(
                cluster(
                    with(
                        current(),
                        b ->
                            b.getCommonTlsContextBuilder()
                                .setTlsCertificateProviderInstance(instance("ca-only"))))))
        .startsWith(C + ".tls_certificate_provider_instance.instance_name: ")
        .contains("no certificate_file");
    assertThat(
            error(
                cluster(
                    with(
                        current(),
                        b ->
                            validation(b).setCaCertificateProviderInstance(instance("key-only"))))))
        .startsWith(V + ".ca_certificate_provider_instance.instance_name: ")
        .contains("no ca_certificate_file");
  }

  static CertificateValidationContext.Builder validation(UpstreamTlsContext.Builder b) {
    return b.getCommonTlsContextBuilder()
        .getCombinedValidationContextBuilder()
        .getDefaultValidationContextBuilder();
  }

  static UpstreamTlsContext with(
      UpstreamTlsContext base, java.util.function.Consumer<UpstreamTlsContext.Builder> change) {
    UpstreamTlsContext.Builder b = base.toBuilder();
    change.accept(b);
    return b.build();
  }

  static Arguments refused(
      String field, java.util.function.Consumer<UpstreamTlsContext.Builder> c) {
    return Arguments.of(field, with(current(), c));
  }

  static Arguments refusedSan(String field, SubjectAltNameMatcher m) {
    return refused(field, b -> validation(b).setMatchTypedSubjectAltNames(0, m));
  }

  static Arguments refusedOldSan(String field, StringMatcher m) {
    return refused(
        field,
        b ->
            validation(b)
                .clearMatchTypedSubjectAltNames()
                .addMatchSubjectAltNames(exact(RATINGS))
                .addMatchSubjectAltNames(m));
  }

  static final DataSource INLINE = DataSource.newBuilder().setInlineString("-----BEGIN").build();
  static final TypedExtensionConfig EXTENSION =
      TypedExtensionConfig.newBuilder()
          .setName("x")
          .setTypedConfig(Any.pack(BoolValue.of(true)))
          .build();

  static Stream<Arguments> unenforceable() {
    return Stream.of(
        // the validation context
        refused(V + ".verify_certificate_spki", b -> validation(b).addVerifyCertificateSpki("k")),
        refused(V + ".verify_certificate_hash", b -> validation(b).addVerifyCertificateHash("ab")),
        refused(
            V + ".crl",
            b -> validation(b).setCrl(DataSource.newBuilder().setFilename("/etc/crl.pem"))),
        refused(
            V + ".custom_validator_config", b -> validation(b).setCustomValidatorConfig(EXTENSION)),
        refused(
            V + ".trust_chain_verification",
            b ->
                validation(b)
                    .setTrustChainVerification(
                        CertificateValidationContext.TrustChainVerification.ACCEPT_UNTRUSTED)),
        refused(
            V + ".allow_expired_certificate", b -> validation(b).setAllowExpiredCertificate(true)),
        refused(
            V + ".only_verify_leaf_cert_crl", b -> validation(b).setOnlyVerifyLeafCertCrl(true)),
        refused(V + ".max_verify_depth", b -> validation(b).setMaxVerifyDepth(UInt32Value.of(3))),
        refused(
            V + ".require_signed_certificate_timestamp",
            b -> validation(b).setRequireSignedCertificateTimestamp(BoolValue.of(true))),
        refused(
            V + ".system_root_certs",
            b ->
                validation(b)
                    .setSystemRootCerts(
                        CertificateValidationContext.SystemRootCerts.getDefaultInstance())),
        refused(
            V + ".trusted_ca.inline_string",
            b -> validation(b).clearCaCertificateProviderInstance().setTrustedCa(INLINE)),
        refused(
            V + ".trusted_ca.environment_variable",
            b ->
                validation(b)
                    .clearCaCertificateProviderInstance()
                    .setTrustedCa(DataSource.newBuilder().setEnvironmentVariable("CA"))),
        // the typed SAN matchers
        refusedSan(
            TYPED + ".san_type",
            uri(exact("reviews.default.svc")).toBuilder().setSanType(SanType.DNS).build()),
        refusedSan(
            TYPED + ".san_type",
            uri(exact(RATINGS)).toBuilder().setSanType(SanType.SAN_TYPE_UNSPECIFIED).build()),
        refusedSan(
            TYPED + ".san_type",
            uri(exact("a@weft.test")).toBuilder().setSanType(SanType.EMAIL).build()),
        refusedSan(
            TYPED + ".san_type",
            uri(exact("127.0.0.1")).toBuilder().setSanType(SanType.IP_ADDRESS).build()),
        refusedSan(
            TYPED + ".san_type",
            uri(exact("x")).toBuilder().setSanType(SanType.OTHER_NAME).setOid("1.2.3").build()),
        refusedSan(TYPED + ".oid", uri(exact(RATINGS)).toBuilder().setOid("1.2.3").build()),
        refusedSan(
            TYPED + ".matcher", SubjectAltNameMatcher.newBuilder().setSanType(SanType.URI).build()),
        refusedSan(
            TYPED + ".matcher.suffix",
            uri(StringMatcher.newBuilder().setSuffix("/sa/ratings").build())),
        refusedSan(
            TYPED + ".matcher.contains",
            uri(StringMatcher.newBuilder().setContains("ratings").build())),
        refusedSan(
            TYPED + ".matcher.safe_regex",
            uri(
                StringMatcher.newBuilder()
                    .setSafeRegex(RegexMatcher.newBuilder().setRegex("spiffe://.*"))
                    .build())),
        refusedSan(
            TYPED + ".matcher.ignore_case",
            uri(exact(RATINGS).toBuilder().setIgnoreCase(true).build())),
        refusedSan(TYPED + ".matcher.exact", uri(exact("https://ratings.weft.test/"))),
        refusedSan(TYPED + ".matcher.exact", uri(exact("spiffe://weft.test/ns/*/sa/ratings"))),
        refusedSan(
            TYPED + ".matcher.prefix",
            uri(
                StringMatcher.newBuilder()
                    .setPrefix("spiffe://weft.test/ns/default/sa/rat")
                    .build())),
        refusedSan(
            TYPED + ".matcher.prefix",
            uri(StringMatcher.newBuilder().setPrefix("spiffe://").build())),
        // the deprecated SAN matchers: the second of two
        refusedOldSan(V + ".match_subject_alt_names[1].exact", exact("*.default.svc")),
        refusedOldSan(
            V + ".match_subject_alt_names[1].exact", exact("spiffe://weft.test/ns/default/*")),
        refusedOldSan(
            V + ".match_subject_alt_names[1].suffix",
            StringMatcher.newBuilder().setSuffix("/sa/ratings").build()),
        refusedOldSan(
            V + ".match_subject_alt_names[1].safe_regex",
            StringMatcher.newBuilder()
                .setSafeRegex(RegexMatcher.newBuilder().setRegex(".*"))
                .build()),
        refusedOldSan(
            V + ".match_subject_alt_names[1].ignore_case",
            exact(RATINGS).toBuilder().setIgnoreCase(true).build()),
        refused(
            V + ".match_subject_alt_names",
            b -> validation(b).addMatchSubjectAltNames(exact(RATINGS))),
        // where the material comes from
        refused(
            C + ".tls_certificates[0].certificate_chain.inline_string",
            b ->
                b.getCommonTlsContextBuilder()
                    .clearTlsCertificateProviderInstance()
                    .addTlsCertificates(
                        TlsCertificate.newBuilder()
                            .setCertificateChain(INLINE)
                            .setPrivateKey(DataSource.newBuilder().setFilename("/k.pem")))),
        refused(
            C + ".tls_certificates[0].private_key.inline_bytes",
            b ->
                b.getCommonTlsContextBuilder()
                    .clearTlsCertificateProviderInstance()
                    .addTlsCertificates(
                        TlsCertificate.newBuilder()
                            .setCertificateChain(DataSource.newBuilder().setFilename("/c.pem"))
                            .setPrivateKey(
                                DataSource.newBuilder()
                                    .setInlineBytes(ByteString.copyFromUtf8("k"))))),
        refused(
            C + ".tls_certificates[0].pkcs12",
            b ->
                b.getCommonTlsContextBuilder()
                    .clearTlsCertificateProviderInstance()
                    .addTlsCertificates(
                        TlsCertificate.newBuilder()
                            .setPkcs12(DataSource.newBuilder().setFilename("/c.p12")))),
        refused(
            C + ".tls_certificate_sds_secret_configs",
            b ->
                b.getCommonTlsContextBuilder()
                    .clearTlsCertificateProviderInstance()
                    .addTlsCertificateSdsSecretConfigs(
                        SdsSecretConfig.newBuilder().setName("default"))),
        refused(
            C + ".tls_certificate_certificate_provider",
            b ->
                b.getCommonTlsContextBuilder()
                    .setTlsCertificateCertificateProvider(
                        CommonTlsContext.CertificateProvider.newBuilder().setName("p"))),
        refused(
            C + ".tls_certificate_certificate_provider_instance",
            b ->
                b.getCommonTlsContextBuilder()
                    .setTlsCertificateCertificateProviderInstance(oldInstance("default"))),
        refused(
            C + ".validation_context_sds_secret_config",
            b ->
                b.getCommonTlsContextBuilder()
                    .setValidationContextSdsSecretConfig(
                        SdsSecretConfig.newBuilder().setName("ROOTCA"))),
        refused(
            C + ".validation_context_certificate_provider",
            b ->
                b.getCommonTlsContextBuilder()
                    .setValidationContextCertificateProvider(
                        CommonTlsContext.CertificateProvider.newBuilder().setName("p"))),
        refused(
            COMBINED + ".validation_context_sds_secret_config",
            b ->
                b.getCommonTlsContextBuilder()
                    .getCombinedValidationContextBuilder()
                    .setValidationContextSdsSecretConfig(
                        SdsSecretConfig.newBuilder().setName("ROOTCA"))),
        refused(
            COMBINED + ".validation_context_certificate_provider",
            b ->
                b.getCommonTlsContextBuilder()
                    .getCombinedValidationContextBuilder()
                    .setValidationContextCertificateProvider(
                        CommonTlsContext.CertificateProvider.newBuilder().setName("p"))),
        refused(
            V + ".ca_certificate_provider_instance",
            b ->
                b.getCommonTlsContextBuilder()
                    .getCombinedValidationContextBuilder()
                    .setValidationContextCertificateProviderInstance(oldInstance("default"))),
        // the rest of the common context and the upstream context
        refused(
            C + ".tls_params",
            b ->
                b.getCommonTlsContextBuilder()
                    .setTlsParams(
                        TlsParameters.newBuilder()
                            .setTlsMinimumProtocolVersion(TlsParameters.TlsProtocol.TLSv1_3))),
        refused(
            C + ".alpn_protocols[1]",
            b ->
                b.getCommonTlsContextBuilder().addAlpnProtocols("h2").addAlpnProtocols("http/1.1")),
        refused(
            C + ".custom_handshaker",
            b -> b.getCommonTlsContextBuilder().setCustomHandshaker(EXTENSION)),
        refused(
            C + ".key_log",
            b ->
                b.getCommonTlsContextBuilder().setKeyLog(TlsKeyLog.newBuilder().setPath("/tmp/k"))),
        refused(
            C + ".custom_tls_certificate_selector",
            b -> b.getCommonTlsContextBuilder().setCustomTlsCertificateSelector(EXTENSION)),
        refused(T + ".auto_host_sni", b -> b.setAutoHostSni(true)),
        refused(T + ".auto_sni_san_validation", b -> b.setAutoSniSanValidation(true)),
        refused(T + ".allow_renegotiation", b -> b.setAllowRenegotiation(true)),
        refused(T + ".enforce_rsa_key_usage", b -> b.setEnforceRsaKeyUsage(BoolValue.of(true))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unenforceable")
  void aSettingWeftCannotEnforceRefusesTheClusterNamingTheField(
      String field, UpstreamTlsContext tls) {
    assertThat(error(cluster(tls))).startsWith(field + ": ");
  }

  @Test
  void otherTransportSocketsAndPerEndpointMatchesAreRefused() {
    Cluster plaintextSocket =
        RichResources.cluster(RichResources.V1).toBuilder()
            .setTransportSocket(
                TransportSocket.newBuilder()
                    .setName("envoy.transport_sockets.raw_buffer")
                    .setTypedConfig(Any.pack(BoolValue.of(true))))
            .build();
    assertThat(error(plaintextSocket)).startsWith(T + ": only UpstreamTlsContext is supported");
    Cluster matches =
        cluster(current()).toBuilder()
            .addTransportSocketMatches(
                Cluster.TransportSocketMatch.newBuilder()
                    .setName("tlsMode-istio")
                    .setTransportSocket(cluster(istio()).getTransportSocket()))
            .build();
    assertThat(error(matches)).startsWith("transport_socket_matches[0]: not supported");
  }
}
