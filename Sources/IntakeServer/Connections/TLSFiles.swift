import Foundation
import NIOSSL

/// The public listener's certificate chain and private key (`--tls-cert`, `--tls-key`, PEM),
/// checked when the server starts so that a wrong file stops it with one line that names the
/// file, not at the first handshake. TLS 1.2 is the oldest version offered; ALPN offers
/// `http/1.1` only (see the README on HTTP/2).
///
/// ```swift
/// let tls = try TLSFiles(certificatePath: "cert.pem", keyPath: "key.pem").configuration
/// ```
package struct TLSFiles: Sendable {
    package let configuration: TLSConfiguration

    package init(certificatePath: String, keyPath: String) throws(TLSFilesError) {
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
        configuration.applicationProtocols = ["http/1.1"]
        do {
            // BoringSSL checks here that the key belongs to the first certificate.
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw TLSFilesError("--tls-key \(keyPath) does not belong to the certificate in --tls-cert \(certificatePath)")
        }
        self.configuration = configuration
    }

    private static func read(_ path: String, option: String) throws(TLSFilesError) -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else { throw TLSFilesError("\(option) \(path): no such file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TLSFilesError("\(option) \(path) cannot be read (check its permissions)")
        }
        return Array(data)
    }
}
