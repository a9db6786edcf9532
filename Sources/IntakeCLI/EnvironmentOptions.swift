import ArgumentParser
import Foundation
import IntakeCore

/// Options of a command taken from `INTAKE_*` environment variables, as containers and systemd
/// units configure a service: `--token-ttl` is `INTAKE_TOKEN_TTL`, a repeatable option takes a
/// comma-separated list, a flag `true` or `false`; an empty variable counts as unset. An option
/// given on the command line wins over its variable, which is then not read at all.
///
/// ```swift
/// let arguments = try EnvironmentOptions.serve.arguments(adding: ["--port", "9000"], from: ["INTAKE_TOKEN_TTL": "600"])
/// // ["--port", "9000", "--token-ttl", "600"]
/// ```
struct EnvironmentOptions {
    enum Kind {
        case value
        /// Repeatable: `INTAKE_TRUSTED_PROXY=10.0.0.0/8,192.168.0.0/16`.
        case repeated
        /// A flag; `inverted` ones also have a `--no-` form, which `false` gives.
        case flag(inverted: Bool)
    }

    let options: [(name: String, kind: Kind)]

    /// `intake serve`'s options (`--database` has `INTAKE_DATABASE_URL`, read by ``DatabaseOptions``).
    static let serve = EnvironmentOptions(options: [
        ("host", .value), ("port", .value), ("issuer", .value), ("token-ttl", .value), ("max-body-size", .value),
        ("idle-timeout", .value), ("body-timeout", .value), ("max-connections", .value), ("max-connections-per-address", .value),
        ("signing-alg", .value), ("rotate-keys-every", .value), ("trusted-proxy", .repeated), ("bootstrap-client", .flag(inverted: true)),
        ("admin-port", .value), ("admin-host", .value), ("tls-cert", .value), ("tls-key", .value), ("log-format", .value),
        ("allow-non-durable-postgres", .flag(inverted: false)), ("event-retention", .value),
    ])

    static func variable(for name: String) -> String {
        "INTAKE_" + name.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    /// `given` with the options it lacks that `environment` sets, appended as arguments.
    func arguments(adding given: [String], from environment: [String: String]) throws -> [String] {
        var arguments = given
        for (name, kind) in options {
            let variable = Self.variable(for: name)
            // An empty value is unset, as compose files and unit files write "not given".
            guard let value = environment[variable], !value.isEmpty, !Self.names(name, in: given) else { continue }
            switch kind {
            case .value:
                arguments += ["--\(name)", value]
            case .repeated:
                for item in value.split(separator: ",") { arguments += ["--\(name)", item.trimmingCharacters(in: .whitespaces)] }
            case .flag(let inverted):
                switch value.lowercased() {
                case "true", "1", "yes": arguments.append("--\(name)")
                case "false", "0", "no": if inverted { arguments.append("--no-\(name)") }
                default: throw ValidationError("\(variable) must be true or false, not \(DisplayText.quotable(value))")
                }
            }
        }
        return arguments
    }

    /// Whether the command line has `--name` (or `--name=…`, or `--no-name`) already.
    private static func names(_ name: String, in arguments: [String]) -> Bool {
        arguments.contains { $0 == "--\(name)" || $0 == "--no-\(name)" || $0.hasPrefix("--\(name)=") }
    }
}
