extension JSONValue {
    /// Appends this value as compact JSON with object keys sorted, so equal values always give
    /// equal bytes.
    ///
    /// ```swift
    /// var out: [UInt8] = []
    /// JSONValue.object(["b": .integer(1), "a": .null]).appendJSON(to: &out)   // {"a":null,"b":1}
    /// ```
    public func appendJSON(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .integer(let value): out.append(contentsOf: String(value).utf8)
        case .number(let value): out.append(contentsOf: String(value).utf8)
        case .string(let value): JSONWriter.appendString(value, to: &out)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                value.appendJSON(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            JSONWriter.appendObjectStart(&out)
            for key in members.keys.sorted() {
                JSONWriter.appendKey(key, to: &out)
                members[key]!.appendJSON(to: &out)
            }
            JSONWriter.appendObjectEnd(&out)
        }
    }

    /// This value as compact JSON text.
    public var jsonText: String {
        var out: [UInt8] = []
        appendJSON(to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
