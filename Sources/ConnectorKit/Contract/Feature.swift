/// A capability a connector can offer to the assistant, named as it appears in `connectors.yaml`
/// (`features: [ticketing, live-agent]`) and on the command line (`--features ticketing`).
///
/// The set is open: the four built-in features are static members, and a module may declare its own.
public struct Feature: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    /// The name used in configuration files and on the command line.
    public let rawValue: String

    /// Creates a feature from its configuration name.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Creates a feature from its configuration name.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// Creates a feature from a string literal.
    public init(stringLiteral value: String) { self.rawValue = value }

    /// Open, update and follow tickets (Salesforce Case / CaseComment).
    public static let ticketing: Feature = "ticketing"
    /// Mirror the people the assistant serves (Salesforce Contact) into the host's store.
    public static let userIngestion: Feature = "user-ingestion"
    /// Load published knowledge articles into the host's store and search them.
    public static let knowledge: Feature = "knowledge"
    /// Hand a conversation to a human agent and relay it both ways.
    public static let liveAgent: Feature = "live-agent"

    /// The features every built-in module understands, in documentation order.
    public static let builtIn: [Feature] = [.ticketing, .userIngestion, .knowledge, .liveAgent]

    public var description: String { rawValue }

    public static func < (lhs: Feature, rhs: Feature) -> Bool { lhs.rawValue < rhs.rawValue }
}
