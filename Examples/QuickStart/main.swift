import Foundation
import IntakeKit

// The credentials of a client with the events:write and events:read scopes, from the environment.
let settings = ProcessInfo.processInfo.environment
let client = IntakeClient(
    environment: .custom(baseURL: settings["INTAKE_URL"] ?? "http://127.0.0.1:8080"),   // or .staging, .production
    credentials: IntakeCredentials(
        clientID: settings["INTAKE_CLIENT_ID"] ?? "", clientSecret: settings["INTAKE_CLIENT_SECRET"] ?? ""))

let receipt = try await client.send(
    Event(type: .lead, name: "newsletter-signup", sourceID: "landing-page",
          fields: ["email": "ada@example.com", "seats": 3, "trial": true], createdAt: Date()))
print("stored event", receipt.id, "at", receipt.receivedAt)

let page = try await client.events(EventQuery(limit: 100, sourceID: "landing-page"))   // needs events:read
print("landing-page has", page.events.count, "events")
