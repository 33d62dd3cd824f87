import ConnectorKit

/// Expands `${VAR}` and `${VAR:-default}` in a configuration value from the environment.
/// `$${` writes a literal `${`. Anything else with `$` is left as it is.
package enum Interpolation {
    /// Why a value could not be expanded; `offset` is the character offset of the `${` in the value.
    package struct Failure: Error, Equatable {
        package var offset: Int
        package var message: String

        package init(offset: Int, message: String) {
            self.offset = offset
            self.message = message
        }
    }

    /// Whether the text contains anything to expand.
    package static func needsExpansion(_ text: String) -> Bool { text.contains("${") }

    package static func expand(_ text: String, environment: [String: String]) -> Result<String, Failure> {
        var output = ""
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            let c = characters[index]
            if c == "$", index + 2 < characters.count, characters[index + 1] == "$", characters[index + 2] == "{" {
                output += "${"
                index += 3
                continue
            }
            guard c == "$", index + 1 < characters.count, characters[index + 1] == "{" else {
                output.append(c)
                index += 1
                continue
            }
            guard let close = characters[(index + 2)...].firstIndex(of: "}") else {
                return .failure(Failure(offset: index, message: "unterminated '${': expected '}' (write '$${' for a literal '${')"))
            }
            let body = String(characters[(index + 2)..<close])
            let name: String
            let fallback: String?
            if let range = body.range(of: ":-") {
                name = String(body[..<range.lowerBound])
                fallback = String(body[range.upperBound...])
            } else {
                name = body
                fallback = nil
            }
            guard SecretReference.isEnvironmentName(name) else {
                return .failure(Failure(offset: index, message: "'${\(body.prefix(40))}' is not a variable reference: use ${NAME} or ${NAME:-default} with letters, digits and _"))
            }
            if let value = environment[name], !(value.isEmpty && fallback != nil) {
                output += value
            } else if let fallback {
                output += fallback
            } else {
                return .failure(Failure(offset: index, message: "environment variable \(name) is not set and ${\(name)} has no default (write ${\(name):-default} to give one)"))
            }
            index = close + 1
        }
        return .success(output)
    }
}
