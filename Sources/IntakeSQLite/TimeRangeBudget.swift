/// How much a read filtered by time alone does through one index before it turns to the other
/// (see ``SQLiteStore/eventPage(_:in:budget:)``): each is a few milliseconds' work at most.
struct TimeRangeBudget: Sendable {
    /// Matches of the time range up to which all of them are sorted by id.
    var creationMatches = 5000
    /// Rows of the account after the cursor that are read in id order in search of the page.
    var idWindow = 5000
}
