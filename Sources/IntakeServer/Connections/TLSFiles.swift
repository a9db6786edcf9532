import Foundation
import NIOSSL

/// The public listener's certificate chain and private key (`--tls-cert`, `--tls-key`, PEM),
/// checked when the server starts so that a wrong file stops it with one line that names the
/// file, not at the first handshake. TLS 1.2 is the oldest version offered, with forward-secret
/// AEAD suites only (``cipherSuites``); ALPN offers `http/1.1` only (see the README on HTTP/2).
///
/// What does not stop the start but needs an operator, an expired or not yet valid certificate
/// or a key file open to others, is returned in ``warnings`` for the caller to log.
///
/// ```swift
/// let files = try TLSFiles(certificatePath: "cert.pem", keyPath: "key.pem")
/// for warning in files.warnings { logger.warning("\(warning)") }
/// let tls = files.configuration
/// ```
package struct TLSFiles: Sendable {
    /// TLS 1.2 with an ECDHE key exchange and an AEAD cipher: NIOSSL's default list also offers
    /// static-RSA key exchange (no forward secrecy) and CBC with SHA-1 for old clients, which every
    /// client of a token endpoint made this decade can do without. BoringSSL fixes TLS 1.3's
    /// suites, all of which qualify. A certificate uses the suites of its key's type only.
    static let cipherSuites: [NIOTLSCipher] = [
        .TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, .TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        .TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, .TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        .TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, .TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ]

    package let configuration: TLSConfiguration
    /// One line each, naming the file and what to do.
    package let warnings: [String]

    /// The certificates' validity is judged at `now`.
    package init(certificatePath: String, keyPath: String, now: Date = Date()) throws(TLSFilesError) {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(try Self.read(certificatePath, option: "--tls-cert"))
        } catch let error as TLSFilesError {
            throw error
        } catch {
            throw TLSFilesError("--tls-cert \(certificatePath) holds no PEM certificate")
        }
        guard !certificates.isEmpty else { throw TLSFilesError("--tls-cert \(certificatePath) holds no PEM certificate") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: try Self.read(keyPath, option: "--tls-key"), format: .pem)
        } catch let error as TLSFilesError {
            throw error
        } catch {
            throw TLSFilesError("--tls-key \(keyPath) holds no unencrypted PEM private key")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: certificates.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.cipherSuiteValues = Self.cipherSuites
        configuration.applicationProtocols = ["http/1.1"]
        do {
            // BoringSSL checks here that the key belongs to the first certificate.
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw TLSFilesError("--tls-key \(keyPath) does not belong to the certificate in --tls-cert \(certificatePath)")
        }
        self.configuration = configuration
        var warnings = certificates.enumerated().compactMap { index, certificate in
            Self.validityWarning(
                certificate, named: index == 0 ? "the certificate" : "certificate \(index + 1) of the chain", in: certificatePath, at: now)
        }
        if let mode = Self.permissions(of: keyPath), mode & 0o077 != 0 {
            warnings.append(
                "--tls-key \(keyPath) is readable or writable by group or others (mode \(Self.octal(mode))): whoever reads it can pose as this server; fix with: chmod 600 \(keyPath)"
            )
        }
        self.warnings = warnings
    }

    private static func read(_ path: String, option: String) throws(TLSFilesError) -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else { throw TLSFilesError("\(option) \(path): no such file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TLSFilesError("\(option) \(path) cannot be read (check its permissions)")
        }
        return Array(data)
    }

    /// Nginx and Caddy, too, start with such a certificate: stopping would turn a lapsed renewal
    /// into an outage of the clients that can still connect (health checks, pinned or lenient
    /// clients), and a certificate not yet valid is as often a clock set wrong at boot.
    private static func validityWarning(
        _ certificate: NIOSSLCertificate, named name: String, in path: String, at now: Date
    ) -> String? {
        let notAfter = Date(timeIntervalSince1970: TimeInterval(certificate.notValidAfter))
        let notBefore = Date(timeIntervalSince1970: TimeInterval(certificate.notValidBefore))
        if now > notAfter {
            return "--tls-cert \(path): \(name) expired on \(notAfter.formatted(.iso8601)); clients refuse it until it is renewed"
        }
        if now < notBefore {
            return
                "--tls-cert \(path): \(name) is not valid before \(notBefore.formatted(.iso8601)); clients refuse it until then (is this machine's clock right?)"
        }
        return nil
    }

    /// The permission bits of the file `path` names (through symbolic links), if it can be examined.
    private static func permissions(of path: String) -> Int? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return Int(status.st_mode) & 0o777
    }

    /// `0644`, as chmod and ls write it.
    private static func octal(_ mode: Int) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
