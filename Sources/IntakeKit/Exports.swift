// `JSONValue` and `EventType` appear in IntakeKit's API; importing IntakeKit is enough to use them.
@_exported import IntakeModel
