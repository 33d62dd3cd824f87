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
    /// Where the people come from: read on the first lookup, so that an org seeded with 100,000
    /// contacts starts as fast without Dynamics as before it had one.
    private let people: @Sendable () -> [SandboxRecord]
    private let directory = Mutex<Directory?>(nil)
    private let tokens = Mutex<[String: ContinuousClock.Instant]>([:])
    private let counters = Mutex<(tokenRequests: Int, lookups: Int)>((0, 0))

    /// Every contact, and where each lowercased e-mail address is.
    private struct Directory: Sendable {
        var contacts: [Contact]
        var byEmail: [String: [Int]]
    }

    init(configuration: DynamicsConfiguration, people: @escaping @Sendable () -> [SandboxRecord]) {
        self.configuration = configuration
        self.people = people
    }

    /// Every contact: the sandbox's seeded people (in order), then three that exercise OData
    /// escaping and a shared address.
    public var contacts: [Contact] { loadedDirectory().contacts }

    private func loadedDirectory() -> Directory {
        directory.withLock { directory in
            if let directory { return directory }
            var contacts = people().compactMap { record -> Contact? in
                guard case .string(let email) = record["Email"], case .string(let last) = record["LastName"] else { return nil }
                let first: String = if case .string(let name) = record["FirstName"] { name } else { "" }
                return Contact(contactid: Self.guid(for: record.id), firstname: first, lastname: last, emailaddress1: email)
            }
            contacts.append(Contact(contactid: Self.guid(for: "obrien"), firstname: "Dana", lastname: "O'Brien", emailaddress1: "dana.o'brien@acme.example"))
            contacts.append(Contact(contactid: Self.guid(for: "shared-1"), firstname: "Front", lastname: "Desk", emailaddress1: "frontdesk@acme.example"))
            contacts.append(Contact(contactid: Self.guid(for: "shared-2"), firstname: "Front", lastname: "Office", emailaddress1: "frontdesk@acme.example"))
            var byEmail: [String: [Int]] = [:]
            for (index, contact) in contacts.enumerated() { byEmail[contact.emailaddress1.lowercased(), default: []].append(index) }
            let loaded = Directory(contacts: contacts, byEmail: byEmail)
            directory = loaded
            return loaded
        }
    }

    /// A stable version-4-shaped GUID for a key.
    static func guid(for key: String) -> String {
        var state: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 { state = (state ^ UInt64(byte)) &* 0x100_0000_01b3 }
        var generator = SplitMix64(seed: state)
        var bytes = (0..<16).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        bytes[6] = (bytes[6] & 0x0f) | 0x40
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if [4, 6, 8, 10].contains(index) { text.append(UInt8(ascii: "-")) }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
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
        let directory = loadedDirectory()
        return (directory.byEmail[email.lowercased()] ?? []).map { directory.contacts[$0] }
    }

    /// Token requests and contact lookups so far.
    public var stats: (tokenRequests: Int, lookups: Int) { counters.withLock { $0 } }
}
