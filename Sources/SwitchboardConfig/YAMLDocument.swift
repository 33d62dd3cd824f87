import ConnectorKit
import Foundation
import Yams

/// A configuration file parsed into a Yams node tree that keeps every node's line and column.
///
/// Duplicate keys do not stop parsing: each repeated key is renamed in place to a private marker
/// (same length, so every position stays right) and remembered, so the validator can report it
/// with its field path alongside every other error.
package struct YAMLDocument {
    /// A key that appeared twice in one mapping.
    package struct DuplicateKey {
        var key: String
        var firstLine: Int
    }

    package let file: String
    package let text: String
    package let root: Node?
    /// Renamed duplicate keys, by their marker text.
    package let duplicates: [String: DuplicateKey]

    package static let markerBase: UInt32 = 0xF0000

    /// A document from its parts (an empty one has no root).
    package init(file: String, text: String, root: Node?, duplicates: [String: DuplicateKey]) {
        self.file = file
        self.text = text
        self.root = root
        self.duplicates = duplicates
    }

    /// Parses `text`; on a syntax error returns the diagnostic instead.
    package static func parse(_ text: String, file: String) -> Result<YAMLDocument, ConfigDiagnostic> {
        var working = text
        var duplicates: [String: DuplicateKey] = [:]
        for attempt in 0..<200 {
            do {
                let root = try Yams.compose(yaml: working)
                return .success(YAMLDocument(file: file, text: text, root: root, duplicates: duplicates))
            } catch let YamlError.duplicatedKeysInMapping(keys, context) {
                guard let key = keys.first,
                    let renamed = renameSecondOccurrence(of: key, after: context.mark, in: working, marker: attempt)
                else {
                    return .failure(diagnostic(file, context.mark, "duplicate key '\(keys.first ?? "?")'"))
                }
                working = renamed.text
                duplicates[renamed.marker] = DuplicateKey(key: key, firstLine: context.mark.line)
            } catch let error as YamlError {
                return .failure(syntaxDiagnostic(error, text: text, file: file))
            } catch {
                return .failure(ConfigDiagnostic(file: file, location: nil, path: nil, message: "cannot parse: \(error)"))
            }
        }
        return .failure(ConfigDiagnostic(file: file, location: nil, path: nil, message: "too many duplicate keys"))
    }

    private static func diagnostic(_ file: String, _ mark: Mark, _ message: String) -> ConfigDiagnostic {
        ConfigDiagnostic(file: file, location: SourceLocation(file: file, line: mark.line, column: mark.column), path: nil, message: message)
    }

    /// Turns libyaml's complaint into one a person can act on. Tabs get a special word, since
    /// libyaml only says it "found character that cannot start any token".
    package static func syntaxDiagnostic(_ error: YamlError, text: String, file: String) -> ConfigDiagnostic {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        func tabIndentation(upTo line: Int) -> SourceLocation? {
            for (number, content) in lines.enumerated() where number < max(line, 1) {
                let indentation = content.prefix(while: { $0 == " " || $0 == "\t" })
                if let tab = indentation.firstIndex(of: "\t") {
                    return SourceLocation(file: file, line: number + 1, column: content.distance(from: content.startIndex, to: tab) + 1)
                }
            }
            return nil
        }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            if let tab = tabIndentation(upTo: mark.line) {
                return ConfigDiagnostic(file: file, location: tab, path: nil,
                    message: "YAML syntax error: a tab is used for indentation; YAML indents with spaces only")
            }
            // A flow collection that is never closed: libyaml notices at the next line, but what to fix
            // is where it opened.
            if let context, context.text.hasPrefix("while parsing a flow"), problem.hasPrefix("did not find expected"),
               context.mark.line != mark.line || context.mark.column != mark.column {
                let kind = context.text.dropFirst("while parsing a ".count)
                let closer = kind.contains("sequence") ? "]" : "}"
                return diagnostic(file, context.mark, "YAML syntax error: this \(kind) is never closed: add '\(closer)' "
                    + "(libyaml stopped at line \(mark.line), column \(mark.column): \(problem))")
            }
            var message = "YAML syntax error: \(problem)"
            if let context {
                message += " (\(context.text)"
                if context.mark.line != mark.line || context.mark.column != mark.column {
                    message += " started at line \(context.mark.line), column \(context.mark.column)"
                }
                message += ")"
            }
            return diagnostic(file, mark, message)
        case .reader(let problem, let offset, _, _):
            return ConfigDiagnostic(file: file, location: nil, path: nil,
                message: "cannot read as UTF-8 text: \(problem)" + (offset.map { " at byte \($0)" } ?? ""))
        default:
            return ConfigDiagnostic(file: file, location: nil, path: nil, message: "YAML syntax error: \(error)")
        }
    }

    /// Finds the next occurrence of `key` used as a mapping key after `mark` and replaces its first
    /// character with a private-use marker character.
    private static func renameSecondOccurrence(of key: String, after mark: Mark, in text: String, marker: Int)
        -> (text: String, marker: String)?
    {
        guard let scalar = Unicode.Scalar(markerBase + UInt32(marker)), !key.isEmpty else { return nil }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0) }
        let keyCharacters = Array(key)
        for lineIndex in (mark.line - 1)..<lines.count {
            let line = lines[lineIndex]
            var start = lineIndex == mark.line - 1 ? mark.column - 1 + keyCharacters.count : 0
            while start + keyCharacters.count <= line.count {
                defer { start += 1 }
                guard Array(line[start..<start + keyCharacters.count]) == keyCharacters else { continue }
                let before = start == 0 ? " " : line[start - 1]
                guard before == " " || before == "{" || before == "," || before == "\t" else { continue }
                var after = start + keyCharacters.count
                while after < line.count, line[after] == " " { after += 1 }
                guard after < line.count, line[after] == ":" else { continue }
                let markerText = String(Character(scalar)) + String(keyCharacters.dropFirst())
                lines[lineIndex].replaceSubrange(start..<start + 1, with: [Character(scalar)])
                return (lines.map { String($0) }.joined(separator: "\n"), markerText)
            }
        }
        return nil
    }
}
