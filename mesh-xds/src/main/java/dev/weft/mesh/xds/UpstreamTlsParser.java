package dev.weft.mesh.xds;

import com.google.protobuf.Any;
import dev.weft.mesh.api.config.TlsSettings;
import dev.weft.mesh.api.security.SpiffeId;
import dev.weft.mesh.xds.bootstrap.Bootstrap;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext.CombinedCertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Translates a cluster's {@code transport_socket} ({@code UpstreamTlsContext}) into {@link
 * TlsSettings}, with gRFC A29's rule that a setting the client cannot enforce exactly refuses the
 * cluster rather than being dropped. Every field is either translated, refused naming its path, or
 * (a few that change neither what is presented nor what is verified) ignored; docs/xds.md lists the
 * decision for each.
 *
 * <p>Server certificates are verified by mesh-security's {@code ReloadingTrustManager}: PKIX path
 * validation to the trusted CAs (no revocation, no depth limit, expired certificates refused), the
 * server must present an X.509-SVID (one URI SAN holding a SPIFFE ID), and the expected identities
 * are exact SPIFFE IDs or SPIFFE ID prefixes ending in {@code /}. Only SAN matchers of those two
 * forms are accepted.
 */
final class UpstreamTlsParser {
  static final String TLS_TYPE =
      "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext";

  private final Map<String, Bootstrap.CertificateProvider> providers;

  UpstreamTlsParser(Map<String, Bootstrap.CertificateProvider> providers) {
    this.providers = providers;
  }

  TlsSettings parse(TransportSocket socket) {
    String f = "transport_socket.typed_config";
    Any cfg = socket.getTypedConfig();
    if (!cfg.getTypeUrl().equals(TLS_TYPE)) {
      throw FieldException.of(f, "only UpstreamTlsContext is supported, was %s", cfg.getTypeUrl());
    }
    UpstreamTlsContext ctx = Protos.unpack(cfg, UpstreamTlsContext.class, f);
    if (ctx.getAutoHostSni()) {
      throw unsupported(f + ".auto_host_sni", "Weft sends the fixed sni only");
    }
    if (ctx.getAutoSniSanValidation()) {
      throw unsupported(f + ".auto_sni_san_validation", "Weft checks the listed SANs only");
    }
    if (ctx.getAllowRenegotiation()) {
      throw unsupported(f + ".allow_renegotiation", "Weft's TLS stack does not renegotiate");
    }
    if (ctx.hasEnforceRsaKeyUsage() && ctx.getEnforceRsaKeyUsage().getValue()) {
      throw unsupported(
          f + ".enforce_rsa_key_usage", "Weft's verifier does not check the key usage extension");
    }
    // max_session_keys only sizes the session resumption cache: it changes nothing verified.
    String cf = f + ".common_tls_context";
    CommonTlsContext common = ctx.getCommonTlsContext();
    checkCommon(common, cf);
    String[] identity = identity(common, cf);
    Validation validation = validation(common, cf);
    TlsSettings.Mode mode =
        identity[0].isEmpty() ? TlsSettings.Mode.SIMPLE : TlsSettings.Mode.MUTUAL;
    return FieldException.model(
        "transport_socket",
        () ->
            new TlsSettings(
                mode, identity[0], identity[1], validation.ca, validation.sans, ctx.getSni()));
  }

  private static void checkCommon(CommonTlsContext common, String cf) {
    if (common.hasTlsParams()
        && !common.getTlsParams().equals(TlsParameters.getDefaultInstance())) {
      throw unsupported(
          cf + ".tls_params",
          "Weft does not restrict protocol versions, cipher suites, curves or signature algorithms"
              + " per cluster");
    }
    for (int i = 0; i < common.getAlpnProtocolsCount(); i++) {
      if (!common.getAlpnProtocols(i).equals("h2")) {
        throw unsupported(
            cf + ".alpn_protocols[" + i + "]",
            "'%s': Weft negotiates h2 only",
            common.getAlpnProtocols(i));
      }
    }
    if (common.hasCustomHandshaker()) {
      throw unsupported(cf + ".custom_handshaker", "Weft has no pluggable handshakers");
    }
    if (common.hasKeyLog()) {
      throw unsupported(cf + ".key_log", "Weft does not write TLS key logs");
    }
    if (common.hasCustomTlsCertificateSelector()) {
      throw unsupported(cf + ".custom_tls_certificate_selector", "Weft presents one certificate");
    }
  }

  /** The client certificate chain and key files, or two empty strings for none. */
  private String[] identity(CommonTlsContext common, String cf) {
    if (common.getTlsCertificateSdsSecretConfigsCount() > 0) {
      throw unsupported(
          cf + ".tls_certificate_sds_secret_configs",
          "Weft does not fetch secrets over SDS; use a certificate provider instance");
    }
    if (common.hasTlsCertificateCertificateProvider()) {
      throw unsupported(
          cf + ".tls_certificate_certificate_provider",
          "use a certificate provider instance from the bootstrap");
    }
    List<String> given = new ArrayList<>();
    if (common.hasTlsCertificateProviderInstance()) {
      given.add("tls_certificate_provider_instance");
    }
    if (common.hasTlsCertificateCertificateProviderInstance()) {
      given.add("tls_certificate_certificate_provider_instance");
    }
    if (common.getTlsCertificatesCount() > 0) {
      given.add("tls_certificates");
    }
    if (given.size() > 1) {
      throw FieldException.of(
          cf + "." + given.get(1), "conflicts with %s: give the certificate once", given.get(0));
    }
    if (common.hasTlsCertificateProviderInstance()) {
      return identityFrom(
          common.getTlsCertificateProviderInstance().getInstanceName(),
          cf + ".tls_certificate_provider_instance");
    }
    if (common.hasTlsCertificateCertificateProviderInstance()) {
      return identityFrom(
          common.getTlsCertificateCertificateProviderInstance().getInstanceName(),
          cf + ".tls_certificate_certificate_provider_instance");
    }
    if (common.getTlsCertificatesCount() > 1) {
      throw unsupported(cf + ".tls_certificates[1]", "Weft presents one certificate");
    }
    if (common.getTlsCertificatesCount() == 1) {
      String tf = cf + ".tls_certificates[0]";
      TlsCertificate t = common.getTlsCertificates(0);
      if (t.hasPkcs12()) {
        throw unsupported(tf + ".pkcs12", "Weft reads PEM files");
      }
      if (t.hasPassword()) {
        throw unsupported(tf + ".password", "Weft reads unencrypted PEM keys");
      }
      if (t.hasPrivateKeyProvider()) {
        throw unsupported(tf + ".private_key_provider", "Weft reads PEM keys from files");
      }
      if (t.hasOcspStaple()) {
        throw unsupported(tf + ".ocsp_staple", "Weft does not staple OCSP responses");
      }
      if (t.getSignedCertificateTimestampCount() > 0) {
        throw unsupported(
            tf + ".signed_certificate_timestamp", "Weft does not send certificate timestamps");
      }
      // watched_directory only says when to re-read the files; Weft re-reads them on its own.
      String chain = fileName(t.getCertificateChain(), tf + ".certificate_chain");
      String key = fileName(t.getPrivateKey(), tf + ".private_key");
      return new String[] {chain, key};
    }
    return new String[] {"", ""};
  }

  private String[] identityFrom(String instance, String field) {
    Bootstrap.CertificateProvider p = provider(instance, field);
    if (p.certificateFile().isEmpty() || p.privateKeyFile().isEmpty()) {
      throw FieldException.of(
          field + ".instance_name",
          "certificate provider '%s' has no certificate_file and private_key_file",
          instance);
    }
    return new String[] {p.certificateFile(), p.privateKeyFile()};
  }

  /** What the validation context says: the CA file (empty: the mesh's) and expected SANs. */
  private record Validation(String ca, List<String> sans) {}

  private Validation validation(CommonTlsContext common, String cf) {
    CertificateValidationContext context = null;
    String vf = null;
    List<String[]> caSources = new ArrayList<>(); // {field, instance name}
    switch (common.getValidationContextTypeCase()) {
      case VALIDATION_CONTEXT -> {
        context = common.getValidationContext();
        vf = cf + ".validation_context";
      }
      case COMBINED_VALIDATION_CONTEXT -> {
        CombinedCertificateValidationContext combined = common.getCombinedValidationContext();
        String combinedField = cf + ".combined_validation_context";
        if (combined.hasValidationContextSdsSecretConfig()) {
          throw unsupported(
              combinedField + ".validation_context_sds_secret_config",
              "Weft does not fetch secrets over SDS; use a certificate provider instance");
        }
        if (combined.hasValidationContextCertificateProvider()) {
          throw unsupported(
              combinedField + ".validation_context_certificate_provider",
              "use a certificate provider instance from the bootstrap");
        }
        if (combined.hasValidationContextCertificateProviderInstance()) {
          caSources.add(
              new String[] {
                combinedField + ".validation_context_certificate_provider_instance",
                combined.getValidationContextCertificateProviderInstance().getInstanceName()
              });
        }
        context = combined.getDefaultValidationContext();
        vf = combinedField + ".default_validation_context";
      }
      case VALIDATION_CONTEXT_CERTIFICATE_PROVIDER_INSTANCE ->
          caSources.add(
              new String[] {
                cf + ".validation_context_certificate_provider_instance",
                common.getValidationContextCertificateProviderInstance().getInstanceName()
              });
      case VALIDATION_CONTEXT_SDS_SECRET_CONFIG ->
          throw unsupported(
              cf + ".validation_context_sds_secret_config",
              "Weft does not fetch secrets over SDS; use a certificate provider instance");
      case VALIDATION_CONTEXT_CERTIFICATE_PROVIDER ->
          throw unsupported(
              cf + ".validation_context_certificate_provider",
              "use a certificate provider instance from the bootstrap");
      case VALIDATIONCONTEXTTYPE_NOT_SET -> {}
    }
    String trustedCaFile = "";
    List<String> sans = List.of();
    if (context != null) {
      checkValidation(context, vf);
      if (context.hasCaCertificateProviderInstance()) {
        caSources.add(
            new String[] {
              vf + ".ca_certificate_provider_instance",
              context.getCaCertificateProviderInstance().getInstanceName()
            });
      }
      if (context.hasTrustedCa()) {
        trustedCaFile = fileName(context.getTrustedCa(), vf + ".trusted_ca");
        caSources.add(new String[] {vf + ".trusted_ca", null});
      }
      sans = subjectAltNames(context, vf);
    }
    if (caSources.size() > 1) {
      throw FieldException.of(
          caSources.get(1)[0], "conflicts with %s: give the CA once", caSources.get(0)[0]);
    }
    String ca = trustedCaFile;
    if (caSources.size() == 1 && caSources.get(0)[1] != null) {
      String field = caSources.get(0)[0];
      String instance = caSources.get(0)[1];
      Bootstrap.CertificateProvider p = provider(instance, field);
      if (p.caCertificateFile().isEmpty()) {
        throw FieldException.of(
            field + ".instance_name",
            "certificate provider '%s' has no ca_certificate_file",
            instance);
      }
      ca = p.caCertificateFile();
    }
    return new Validation(ca, sans);
  }

  /** Refuses every validation setting Weft's verifier does not enforce. */
  private static void checkValidation(CertificateValidationContext v, String vf) {
    if (v.hasSystemRootCerts()) {
      throw unsupported(
          vf + ".system_root_certs",
          "Weft trusts the CAs of a certificate provider, a file, or the mesh's trust bundle");
    }
    // watched_directory only says when to re-read trusted_ca; Weft re-reads it on its own.
    if (v.getVerifyCertificateSpkiCount() > 0) {
      throw unsupported(vf + ".verify_certificate_spki", "Weft does not pin public keys");
    }
    if (v.getVerifyCertificateHashCount() > 0) {
      throw unsupported(vf + ".verify_certificate_hash", "Weft does not pin certificates");
    }
    if (v.hasRequireSignedCertificateTimestamp()
        && v.getRequireSignedCertificateTimestamp().getValue()) {
      throw unsupported(
          vf + ".require_signed_certificate_timestamp",
          "Weft does not check certificate transparency");
    }
    if (v.hasCrl()) {
      throw unsupported(vf + ".crl", "Weft does not check revocation");
    }
    if (v.getAllowExpiredCertificate()) {
      throw unsupported(
          vf + ".allow_expired_certificate", "Weft always refuses expired certificates");
    }
    if (v.getTrustChainVerification()
        != CertificateValidationContext.TrustChainVerification.VERIFY_TRUST_CHAIN) {
      throw unsupported(
          vf + ".trust_chain_verification",
          "%s: Weft always verifies the trust chain",
          v.getTrustChainVerification());
    }
    if (v.hasCustomValidatorConfig()) {
      throw unsupported(
          vf + ".custom_validator_config", "Weft has no pluggable certificate validators");
    }
    if (v.getOnlyVerifyLeafCertCrl()) {
      throw unsupported(vf + ".only_verify_leaf_cert_crl", "Weft does not check revocation");
    }
    if (v.hasMaxVerifyDepth()) {
      throw unsupported(
          vf + ".max_verify_depth", "Weft's verifier does not limit the certificate chain depth");
    }
  }

  private static List<String> subjectAltNames(CertificateValidationContext v, String vf) {
    if (v.getMatchTypedSubjectAltNamesCount() > 0 && v.getMatchSubjectAltNamesCount() > 0) {
      throw FieldException.of(
          vf + ".match_subject_alt_names",
          "must not be given with match_typed_subject_alt_names (as in Envoy)");
    }
    List<String> sans = new ArrayList<>();
    for (int i = 0; i < v.getMatchTypedSubjectAltNamesCount(); i++) {
      SubjectAltNameMatcher m = v.getMatchTypedSubjectAltNames(i);
      String mf = vf + ".match_typed_subject_alt_names[" + i + "]";
      if (m.getSanType() != SubjectAltNameMatcher.SanType.URI) {
        throw unsupported(
            mf + ".san_type",
            "%s: Weft verifies a server by the SPIFFE ID in its URI SAN only",
            m.getSanType());
      }
      if (!m.getOid().isEmpty()) {
        throw unsupported(mf + ".oid", "only for OTHER_NAME SANs, which Weft does not check");
      }
      if (!m.hasMatcher()) {
        throw FieldException.of(mf + ".matcher", "must be given");
      }
      sans.add(identity(m.getMatcher(), mf + ".matcher"));
    }
    for (int i = 0; i < v.getMatchSubjectAltNamesCount(); i++) {
      String mf = vf + ".match_subject_alt_names[" + i + "]";
      StringMatcher m = v.getMatchSubjectAltNames(i);
      if (m.getMatchPatternCase() == StringMatcher.MatchPatternCase.EXACT
          && !m.getIgnoreCase()
          && !m.getExact().startsWith("spiffe://")) {
        // A typeless exact name (a DNS name, an IP address): Weft compares it exactly with the
        // certificate's URI, DNS and IP SANs, as gRPC compares typeless matchers, but without
        // DNS wildcard certificates; it may refuse a server Envoy accepts, never the reverse.
        if (m.getExact().contains("*")) {
          throw unsupported(mf + ".exact", "'%s': Weft reads '*' as a wildcard", m.getExact());
        }
        sans.add(m.getExact());
      } else {
        sans.add(identity(m, mf));
      }
    }
    return List.copyOf(sans);
  }

  /**
   * The expected identity in Weft's form: an exact SPIFFE ID, or a SPIFFE ID prefix ending in
   * {@code /} as {@code spiffe://td/path/*}. Anything else cannot be checked exactly.
   */
  private static String identity(StringMatcher m, String field) {
    if (m.getIgnoreCase()) {
      throw unsupported(field + ".ignore_case", "Weft compares SPIFFE IDs case-sensitively");
    }
    switch (m.getMatchPatternCase()) {
      case EXACT -> {
        String id = m.getExact();
        if (!SpiffeId.isValid(id)) {
          throw unsupported(
              field + ".exact", "'%s' is not a SPIFFE ID; Weft verifies servers by SPIFFE ID", id);
        }
        return id;
      }
      case PREFIX -> {
        String prefix = m.getPrefix();
        if (!prefix.endsWith("/") || !SpiffeId.isValid(prefix.substring(0, prefix.length() - 1))) {
          throw unsupported(
              field + ".prefix",
              "'%s': Weft matches a SPIFFE ID prefix only when it is a SPIFFE ID followed by '/'",
              prefix);
        }
        return prefix + "*";
      }
      default ->
          throw unsupported(
              field + "." + m.getMatchPatternCase().name().toLowerCase(java.util.Locale.ROOT),
              "Weft matches SPIFFE IDs exactly or by a prefix ending in '/'");
    }
  }

  private static String fileName(DataSource d, String field) {
    if (d.getSpecifierCase() == DataSource.SpecifierCase.SPECIFIER_NOT_SET) {
      throw FieldException.of(field + ".filename", "must name a PEM file");
    }
    if (d.getSpecifierCase() != DataSource.SpecifierCase.FILENAME) {
      throw unsupported(
          field + "." + d.getSpecifierCase().name().toLowerCase(java.util.Locale.ROOT),
          "Weft loads TLS material from files only");
    }
    if (d.getFilename().isEmpty()) {
      throw FieldException.of(field + ".filename", "must not be empty");
    }
    return d.getFilename();
  }

  private Bootstrap.CertificateProvider provider(String instance, String field) {
    Bootstrap.CertificateProvider p = providers.get(instance);
    if (p == null) {
      throw FieldException.of(
          field + ".instance_name",
          "names certificate provider '%s', which the bootstrap does not declare (declared: %s)",
          instance,
          providers.keySet().stream().sorted().toList());
    }
    return p;
  }

  private static FieldException unsupported(String field, String why, Object... args) {
    return FieldException.of(field, "not supported: " + why, args);
  }
}
