import Foundation

/// One check of `switchboard doctor`: what was checked, whether it holds, what was seen, and — when
/// it does not hold — what the admin does about it (in Setup's own words where it is Setup's to fix).
public struct Diagnosis: Sendable, Hashable, Codable {
    /// How a check came out.
    public enum Outcome: String, Sendable, Hashable, Codable {
        /// It holds.
        case passed
        /// It does not: ``Diagnosis/fix`` says what to do.
        case failed
        /// Not checked (a feature that is off, or a check that needs one that failed).
        case skipped
    }

    /// A stable id (`salesforce.object-access.case`), for scripts.
    public var id: String
    /// What is checked, as a line title ("the integration user can create Cases").
    public var title: String
    /// How it came out.
    public var outcome: Outcome
    /// What was seen.
    public var detail: String
    /// What to do, when it failed.
    public var fix: String?

    /// Creates a diagnosis.
    public init(id: String, title: String, outcome: Outcome, detail: String = "", fix: String? = nil) {
        self.id = id
        self.title = title
        self.outcome = outcome
        self.detail = detail
        self.fix = fix
    }

    /// A check that holds.
    public static func passed(_ id: String, _ title: String, _ detail: String = "") -> Diagnosis {
        Diagnosis(id: id, title: title, outcome: .passed, detail: detail)
    }

    /// A check that does not hold, and its fix.
    public static func failed(_ id: String, _ title: String, _ detail: String, fix: String) -> Diagnosis {
        Diagnosis(id: id, title: title, outcome: .failed, detail: detail, fix: fix)
    }

    /// A check not made, and why.
    public static func skipped(_ id: String, _ title: String, _ why: String) -> Diagnosis {
        Diagnosis(id: id, title: title, outcome: .skipped, detail: why)
    }

    /// The report line: `✓ title (detail)`, `✗ title — detail` with its fix, or `– title: why`.
    public var line: String {
        switch outcome {
        case .passed: "✓ \(title)" + (detail.isEmpty ? "" : " (\(detail))")
        case .failed: "✗ \(title) — \(detail)" + (fix.map { "\n      fix: \($0)" } ?? "")
        case .skipped: "– \(title): \(detail)"
        }
    }
}

extension HealthReport {
    /// The health checks as diagnoses: healthy passes; degraded and unhealthy fail, with the detail.
    public var diagnoses: [Diagnosis] {
        checks.map { check in
            check.status == .healthy ? .passed("health.\(check.name)", check.name, check.detail)
                : .failed("health.\(check.name)", check.name, check.detail, fix: "see the connector's log lines for \(check.name)")
        }
    }
}
