import ConnectorKit
import Foundation
import Synchronization

/// Sync progress on standard error: a redrawn bar with records, pages, rate and ETA on a
/// terminal; one plain line per update otherwise (logs, CI).
final class ProgressDisplay: Sendable {
    private let label: String
    private let started = ContinuousClock.now
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private let lastDraw = Mutex<ContinuousClock.Instant?>(nil)

    init(label: String) { self.label = label }

    func update(_ progress: SyncProgress) {
        let elapsed = seconds(ContinuousClock.now - started)
        let rate = elapsed > 0 ? Double(progress.records) / elapsed : 0
        var line = "\(label): \(progress.records)"
        if let total = progress.expectedTotal, total > 0 {
            let fraction = min(1, Double(progress.records) / Double(total))
            if isTerminal {
                let width = 24, filled = Int(fraction * Double(width))
                line = "\(label) [\(String(repeating: "█", count: filled))\(String(repeating: "·", count: width - filled))] \(progress.records)/\(total)"
            } else {
                line += "/\(total)"
            }
            if rate > 0, progress.records < total {
                line += ", ETA \(Int((Double(total - progress.records) / rate).rounded(.up)))s"
            }
        }
        line += " records, \(progress.pages) pages, \(Int(rate)) records/s"
        if isTerminal {
            // Redraw at most ten times a second.
            let now = ContinuousClock.now
            let draw = lastDraw.withLock { last in
                guard last.map({ now - $0 >= .milliseconds(100) }) ?? true else { return false }
                last = now
                return true
            }
            if draw { FileHandle.standardError.write(Data("\r\u{1B}[2K\(line)".utf8)) }
        } else {
            FileHandle.standardError.write(Data("\(line)\n".utf8))
        }
    }

    func finish(_ report: SyncReport, elapsed: Duration) {
        let time = seconds(elapsed)
        let rate = time > 0 ? Int(Double(report.upserted) / time) : report.upserted
        var text = "\(label): \(report.upserted) written, \(report.deleted) removed, \(report.pages) pages in \(String(format: "%.1f", time)) s (\(rate) records/s)"
        if report.reread > 0 { text += "; \(report.reread) unchanged rows re-read behind the checkpoint" }
        if report.resumed { text += "; resumed the interrupted full sync" }
        FileHandle.standardError.write(Data(((isTerminal ? "\r\u{1B}[2K" : "") + text + "\n").utf8))
    }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
