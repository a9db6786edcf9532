import IntakeKit
import Testing

@Suite struct IntakeCredentialsTests {
    @Test func noWayOfPrintingShowsTheSecret() {
        let secret = "s3cr3t-abcdefghijklmnopqrstuvwxyz0123456789"
        let credentials = IntakeCredentials(clientID: "client-1", clientSecret: secret)
        var dumped = ""
        dump(credentials, to: &dumped)
        let renderings = [
            String(describing: credentials), String(reflecting: credentials), "\(credentials)", dumped,
            String(describing: [credentials]), String(describing: Optional(credentials)),
        ]
        for rendering in renderings {
            #expect(rendering.contains("client-1"))
            #expect(!rendering.contains(secret), "\(rendering)")
        }
    }
}
