/// A test database that could not be set up, and why.
package struct TestDatabaseError: Error, CustomStringConvertible {
    package var description: String

    package init(description: String) {
        self.description = description
    }
}
