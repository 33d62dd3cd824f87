import Foundation
import Synchronization

/// The fake Dynamics 365 org: contacts (the Salesforce sandbox's seeded people, with stable
/// GUIDs, plus a few that exercise OData escaping and ambiguity) and the tokens the fake Microsoft
/// identity platform issued.
public final class DynamicsOrg: Sendable {
    /// A contact as the Web API returns it.
    public struct Contact: Sendable, Hashable, Codable {
        /// `contactid` (lowercase GUID).
        public var contactid: String
        /// `firstname`.
        public var firstname: String
        /// `lastname`.
        public var lastname: String
        /// `emailaddress1`.
        public var emailaddress1: String
    }

    let configuration: DynamicsConfiguration
    /// Every contact.
    public let contacts: [Contact]
    private let tokens = Mutex<[String: ContinuousClock.Instant]>([:])
    private let counters = Mutex<(tokenRequests: Int, lookups: Int)>((0, 0))

    init(configuration: DynamicsConfiguration, people: [SandboxRecord]) {
        self.configuration = configuration
        var contacts = people.compactMap { record -> Contact? in
            guard case .string(let email) = record["Email"], case .string(let last) = record["LastName"] else { return nil }
            let first: String = if case .string(let name) = record["FirstName"] { name } else { "" }
            return Contact(contactid: Self.guid(for: record.id), firstname: first, lastname: last, emailaddress1: email)
        }
        contacts.append(Contact(contactid: Self.guid(for: "obrien"), firstname: "Dana", lastname: "O'Brien", emailaddress1: "dana.o'brien@acme.example"))
        contacts.append(Contact(contactid: Self.guid(for: "shared-1"), firstname: "Front", lastname: "Desk", emailaddress1: "frontdesk@acme.example"))
        contacts.append(Contact(contactid: Self.guid(for: "shared-2"), firstname: "Front", lastname: "Office", emailaddress1: "frontdesk@acme.example"))
        self.contacts = contacts
    }

    /// A stable version-4-shaped GUID for a key.
    static func guid(for key: String) -> String {
        var state: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 { state = (state ^ UInt64(byte)) &* 0x100_0000_01b3 }
        var generator = SplitMix64(seed: state)
        var bytes = (0..<16).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        bytes[6] = (bytes[6] & 0x0f) | 0x40
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let h = Array(hex)
        return [h[0..<8], h[8..<12], h[12..<16], h[16..<20], h[20..<32]].map { String($0) }.joined(separator: "-")
    }

    /// Issues a token.
    func issueToken() -> String {
        let token = "d365." + UUID().uuidString.lowercased()
        tokens.withLock { $0[token] = .now + configuration.tokenLifetime }
        counters.withLock { $0.tokenRequests += 1 }
        return token
    }

    /// Counts a refused token request.
    func refusedToken() { counters.withLock { $0.tokenRequests += 1 } }

    /// Whether a bearer token is valid.
    func isValid(_ token: String) -> Bool { tokens.withLock { $0[token].map { $0 > .now } ?? false } }

    /// Expires every token (fault injection).
    public func expireAllTokens() {
        tokens.withLock { tokens in for key in tokens.keys { tokens[key] = .now - .seconds(1) } }
    }

    /// Contacts whose `emailaddress1` equals `email`, case-insensitively (OData string comparison).
    func contacts(email: String) -> [Contact] {
        counters.withLock { $0.lookups += 1 }
        return contacts.filter { $0.emailaddress1.lowercased() == email.lowercased() }
    }

    /// Token requests and contact lookups so far.
    public var stats: (tokenRequests: Int, lookups: Int) { counters.withLock { $0 } }
}
