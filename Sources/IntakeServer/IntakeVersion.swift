/// This build's version: `intake --version` prints it and `/metrics` carries it as
/// `intake_build_info{version="…"} 1`.
package enum IntakeVersion {
    package static let current = "0.5.0"
}
