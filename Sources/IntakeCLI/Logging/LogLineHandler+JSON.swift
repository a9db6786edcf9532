import IntakeCore
import IntakeModel
import Logging

/// `--log-format json`: one JSON object per line,
/// `{"timestamp":"2026-12-02T10:00:00.123Z","level":"info","label":"intake","message":"request","status":201,…}`,
/// the metadata as members (numbers stay numbers), for log shippers that read JSON. swift-log
/// ships only a text handler.
extension LogLineHandler {
    static func jsonLine(_ event: LogEvent, label: String, metadata: [(key: String, value: Logger.Metadata.Value)]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        JSONWriter.appendObjectStart(&out)
        JSONWriter.appendMember("timestamp", string: Timestamp.format(UnixTime.nowMilliseconds()), to: &out)
        JSONWriter.appendMember("level", string: event.level.rawValue, to: &out)
        JSONWriter.appendMember("label", string: label, to: &out)
        JSONWriter.appendMember("message", string: event.message.description, to: &out)
        for (key, value) in metadata where !["timestamp", "level", "label", "message"].contains(key) {
            JSONWriter.appendKey(key, to: &out)
            Self.append(value, to: &out)
        }
        JSONWriter.appendObjectEnd(&out)
        out.append(UInt8(ascii: "\n"))
        return out
    }

    private static func append(_ value: Logger.Metadata.Value, to out: inout [UInt8]) {
        switch value {
        case .string(let text):
            JSONWriter.appendString(text, to: &out)
        case .stringConvertible(let convertible):
            if convertible is any BinaryInteger || (convertible as? Double)?.isFinite == true {
                out.append(contentsOf: convertible.description.utf8)
            } else {
                JSONWriter.appendString(convertible.description, to: &out)
            }
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, element) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                append(element, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .dictionary(let members):
            JSONWriter.appendObjectStart(&out)
            for (key, element) in members.sorted(by: { $0.key < $1.key }) {
                JSONWriter.appendKey(key, to: &out)
                append(element, to: &out)
            }
            JSONWriter.appendObjectEnd(&out)
        }
    }
}
