package dev.weft.mesh.security.tls;

import static java.util.Objects.requireNonNull;

import dev.weft.mesh.api.runtime.Scheduler;
import java.net.Socket;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A key manager serving one certificate chain and private key read from PEM files, swapped for new
 * ones when the files change. New handshakes use the new pair; connections already established are
 * not touched. A new pair is used only when both files parse and the key matches the leaf
 * certificate's public key; otherwise the pair in use stays and the error, naming the files, is
 * logged and given to the {@link TlsMaterialListener}s.
 *
 * <p>Checks happen when {@link #reload()} is called, or periodically after {@link #watch}.
 * Thread-safe; handshakes read one volatile reference and never block.
 */
public final class ReloadingKeyManager extends X509ExtendedKeyManager implements AutoCloseable {
  private static final String ALIAS_PREFIX = "weft-";

  private final ReloadableFiles<KeyMaterial> files;

  /**
   * The pair in use and the one before it, so a handshake that chose an alias just before a swap
   * finishes with it.
   */
  private volatile Pairs pairs;

  private record Pairs(KeyMaterial current, KeyMaterial previous) {}

  private ReloadingKeyManager(Path certificateChain, Path privateKey) {
    AtomicLong generations = new AtomicLong();
    this.files =
        new ReloadableFiles<>(
            "certificate and key",
            List.of(certificateChain, privateKey),
            contents ->
                parse(certificateChain, privateKey, contents, generations.incrementAndGet()),
            KeyMaterial::toString);
    this.pairs = new Pairs(files.current(), null);
    files.addListener(
        new TlsMaterialListener() {
          @Override
          public void reloaded(String description) {
            pairs = new Pairs(files.current(), pairs.current());
          }
        });
  }

  /**
   * Loads a certificate chain (leaf first) and its private key (PKCS#8, PKCS#1 or SEC1) from PEM
   * files.
   *
   * @throws TlsMaterialException naming the file, when a file is missing or unusable or the key
   *     does not match the certificate
   */
  public static ReloadingKeyManager fromFiles(Path certificateChain, Path privateKey) {
    return new ReloadingKeyManager(
        requireNonNull(certificateChain, "certificateChain"),
        requireNonNull(privateKey, "privateKey"));
  }

  private static KeyMaterial parse(
      Path chainFile, Path keyFile, List<byte[]> contents, long generation) {
    List<X509Certificate> chain = PemFiles.parseCertificates(chainFile, contents.get(0));
    PrivateKey key = PemFiles.parsePrivateKey(keyFile, contents.get(1));
    X509Certificate leaf = chain.get(0);
    if (!PemFiles.keyMatches(key, leaf.getPublicKey())) {
      throw new TlsMaterialException(
          List.of(chainFile, keyFile),
          "the private key in "
              + keyFile
              + " does not match the certificate in "
              + chainFile
              + " (serial "
              + leaf.getSerialNumber().toString(16)
              + ", "
              + leaf.getPublicKey().getAlgorithm()
              + " key)",
          null);
    }
    return new KeyMaterial(chain, key, generation);
  }

  /** The pair new handshakes use. */
  public KeyMaterial current() {
    return pairs.current();
  }

  /** The last reload error, or null when the last check succeeded or found nothing new. */
  public TlsMaterialException lastError() {
    return files.lastError();
  }

  /** Re-reads the files now; returns whether a new pair is in use. Never throws for bad files. */
  public boolean reload() {
    return files.reload();
  }

  /** Checks the files every {@code interval} on {@code scheduler}; cancel the result to stop. */
  public Scheduler.Cancellable watch(Scheduler scheduler, Duration interval) {
    return files.watch(scheduler, interval);
  }

  /**
   * Checks the files every {@code interval} on a daemon thread of its own, until {@link #close()}.
   */
  public ReloadingKeyManager watch(Duration interval) {
    files.watch(interval);
    return this;
  }

  /** Adds a listener for reloads and failed reloads. */
  public ReloadingKeyManager addListener(TlsMaterialListener listener) {
    files.addListener(listener);
    return this;
  }

  /** The watched files: the certificate chain, then the private key. */
  public List<Path> files() {
    return files.files();
  }

  /** Stops watching. */
  @Override
  public void close() {
    files.close();
  }

  private KeyMaterial byAlias(String alias) {
    Pairs p = pairs;
    if (alias == null || !alias.startsWith(ALIAS_PREFIX)) {
      return null;
    }
    String generation = alias.substring(ALIAS_PREFIX.length());
    if (Long.toString(p.current().generation()).equals(generation)) {
      return p.current();
    }
    if (p.previous() != null && Long.toString(p.previous().generation()).equals(generation)) {
      return p.previous();
    }
    return null;
  }

  private String aliasFor(String keyType) {
    KeyMaterial m = pairs.current();
    if (keyType == null || !keyTypeMatches(keyType, m.privateKey().getAlgorithm())) {
      return null;
    }
    return ALIAS_PREFIX + m.generation();
  }

  private String aliasFor(String[] keyTypes) {
    if (keyTypes == null) {
      return null;
    }
    for (String keyType : keyTypes) {
      String alias = aliasFor(keyType);
      if (alias != null) {
        return alias;
      }
    }
    return null;
  }

  /** JSSE asks for key types such as "RSA", "EC", "EdDSA", or "EC_EC" (key type, then signer's). */
  private static boolean keyTypeMatches(String keyType, String keyAlgorithm) {
    int underscore = keyType.indexOf('_');
    String wanted = underscore < 0 ? keyType : keyType.substring(0, underscore);
    return wanted.equals(keyAlgorithm) || (wanted.equals("EdDSA") && keyAlgorithm.startsWith("Ed"));
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    String alias = aliasFor(keyType);
    return alias == null ? null : new String[] {alias};
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return aliasFor(keyTypes);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    return aliasFor(keyTypes);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    String alias = aliasFor(keyType);
    return alias == null ? null : new String[] {alias};
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return aliasFor(keyType);
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return aliasFor(keyType);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    KeyMaterial m = byAlias(alias);
    return m == null ? null : m.chain().toArray(X509Certificate[]::new);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    KeyMaterial m = byAlias(alias);
    return m == null ? null : m.privateKey();
  }
}
