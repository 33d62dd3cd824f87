/// A feature the scaffolder can generate, with the interface it implements.
public enum ScaffoldFeature: String, Sendable, Hashable, CaseIterable {
    case ticketing
    case userIngestion = "user-ingestion"
    case knowledge
    case liveAgent = "live-agent"

    /// Parses a comma-separated list (`ticketing,knowledge`), in the order written, without repeats.
    public static func parse(_ text: String) throws(ScaffoldError) -> [ScaffoldFeature] {
        var features: [ScaffoldFeature] = []
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            guard let feature = ScaffoldFeature(rawValue: part) else {
                throw ScaffoldError(.unknownFeature, "there is no feature '\(part)'; choose from \(allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if !features.contains(feature) { features.append(feature) }
        }
        guard !features.isEmpty else {
            throw ScaffoldError(.noFeatures, "name at least one feature with --features (\(allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return features
    }

    /// The `Feature` static member (`.userIngestion`).
    var member: String {
        switch self {
        case .ticketing: ".ticketing"
        case .userIngestion: ".userIngestion"
        case .knowledge: ".knowledge"
        case .liveAgent: ".liveAgent"
        }
    }

    /// The file and type suffix (`Ticketing`, `UserIngestion`).
    var typeSuffix: String {
        switch self {
        case .ticketing: "Ticketing"
        case .userIngestion: "UserIngestion"
        case .knowledge: "Knowledge"
        case .liveAgent: "LiveAgent"
        }
    }
}

import Foundation
