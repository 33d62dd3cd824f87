/// One check of the conformance kit. Match outcomes by these values, never by their text.
public enum ConformanceCheck: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The module's name, summary, features and settings schema are well-formed and documented.
    case schema = "schema"
    /// The example YAML validates as `switchboard validate` would check it.
    case exampleValidates = "example-validates"
    /// Every enabled feature has its interface, and no feature the module lacks has one.
    case featureInterfaces = "feature-interfaces"
    /// No secret from the settings appears in logs, errors, descriptions, health details or events.
    case secretsStayHidden = "secrets-stay-hidden"
    /// `check()` answers within the bound.
    case checkAnswers = "check-answers"
    /// `run()` returns promptly after graceful shutdown is triggered.
    case gracefulShutdown = "graceful-shutdown"
    /// `run()` returns promptly when its task is cancelled.
    case cancellation = "cancellation"
    /// A sync moves its checkpoint only together with (or after) its records: after a failed write,
    /// the next run still stores every record.
    case checkpointAfterWrite = "checkpoint-after-write"
    /// A second sync with nothing new upstream changes nothing in the store.
    case rerunChangesNothing = "rerun-changes-nothing"
    /// Creating a ticket twice with one idempotency key makes one ticket.
    case ticketIdempotency = "ticket-idempotency"

    public var description: String { rawValue }
}

/// How one check came out.
public enum ConformanceOutcome: Sendable, Hashable {
    /// It held.
    case passed(String)
    /// It did not: what was seen.
    case failed(String)
    /// The feature is declared but throws ``ConnectorError/Code/notImplemented`` (a scaffolded `TODO`).
    case notImplemented(String)
    /// The check does not apply to this connector (the feature is not enabled).
    case notApplicable(String)

    /// Whether it is a failure.
    public var isFailure: Bool { if case .failed = self { true } else { false } }
}

/// The outcome of one check, with the feature it concerned when it ran per feature.
public struct ConformanceResult: Sendable, Hashable, CustomStringConvertible {
    /// The check.
    public var check: ConformanceCheck
    /// The feature, for per-feature checks.
    public var feature: String?
    /// How it came out.
    public var outcome: ConformanceOutcome

    /// Creates a result.
    public init(_ check: ConformanceCheck, feature: String? = nil, _ outcome: ConformanceOutcome) {
        self.check = check
        self.feature = feature
        self.outcome = outcome
    }

    public var description: String {
        let name = check.rawValue + (feature.map { " (\($0))" } ?? "")
        return switch outcome {
        case .passed(let detail): "  pass  \(name): \(detail)"
        case .failed(let detail): "  FAIL  \(name): \(detail)"
        case .notImplemented(let detail): "  todo  \(name): not implemented — \(detail)"
        case .notApplicable(let detail): "  n/a   \(name): \(detail)"
        }
    }
}

/// Every check's outcome for one module and connector.
public struct ConformanceReport: Sendable, Hashable, CustomStringConvertible {
    /// The module's name.
    public var module: String
    /// The connector instance checked.
    public var connector: String
    /// The outcomes, in the order the checks ran.
    public var results: [ConformanceResult]

    /// The failed checks.
    public var failures: [ConformanceResult] { results.filter(\.outcome.isFailure) }
    /// Whether every check passed or did not apply.
    public var passed: Bool { failures.isEmpty }
    /// The checks of a kind.
    public func results(for check: ConformanceCheck) -> [ConformanceResult] { results.filter { $0.check == check } }

    public var description: String {
        let failed = failures.count
        return "conformance of module '\(module)' (connector '\(connector)'): "
            + (failed == 0 ? "passed" : "\(failed) check\(failed == 1 ? "" : "s") failed") + "\n"
            + results.map(\.description).joined(separator: "\n")
    }
}

/// Thrown by ``ConnectorConformance/check(_:config:options:)`` when a check fails; its description
/// lists every check, so a failing test says what to fix.
public struct ConformanceFailure: Error, Sendable, CustomStringConvertible {
    /// The whole report.
    public var report: ConformanceReport
    public var description: String { report.description }
}
