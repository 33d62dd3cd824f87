import Foundation

/// Everything `new-connector` will write, worked out before anything is touched.
public struct ScaffoldPlan: Sendable {
    /// The module's names.
    public let name: ConnectorName
    /// New files, by path relative to the package.
    public let files: [(path: String, text: String)]
    /// Package.swift with the module's line added.
    public let manifest: String
    /// The connectors.yaml snippet.
    public let snippet: String
    /// connectors.yaml with the snippet appended, when asked for.
    public let config: (path: String, text: String)?
    /// Whether the module runs as its own process.
    public let external: Bool

    /// What the plan writes, one line each, for `--dry-run` and the report.
    public var summary: [String] {
        files.map { "create \($0.path)" } + [external
            ? "edit   Package.swift (adds \(name.target) and \(name.executable) to externalModuleTargets)"
            : "edit   Package.swift (adds .module(\"\(name.target)\") to connectorModules)"]
            + (config.map { ["edit   \($0.path) (appends the \(name.module) connector)"] } ?? [])
    }
}

/// Scaffolds a connector module into a package: plans it (refusing clearly, with nothing written),
/// then applies the plan all or nothing.
public enum Scaffolder {
    /// The line in Package.swift above which modules are listed.
    public static let marker = "// new-connector: modules above this line"
    /// The line in Package.swift above which external modules are listed.
    public static let externalMarker = "// new-connector --external: modules above this line"

    /// Works out what to write, or refuses.
    public static func plan(
        name: ConnectorName, features: [ScaffoldFeature], packageDirectory: String, addToConfig: String? = nil, external: Bool = false
    ) throws(ScaffoldError) -> ScaffoldPlan {
        let marker = external ? externalMarker : marker
        let fileManager = FileManager.default
        let manifestPath = packageDirectory + "/Package.swift"
        guard let manifest = try? String(contentsOfFile: manifestPath, encoding: .utf8) else {
            throw ScaffoldError(.cannotEdit, "no Package.swift in \(packageDirectory); run it from the Switchboard package")
        }
        guard manifest.components(separatedBy: "\n").contains(where: { $0.trimmingCharacters(in: .whitespaces) == marker }) else {
            throw ScaffoldError(.cannotEdit, "Package.swift has no line `\(marker)` inside \(external ? "externalModuleTargets" : "connectorModules"); add it back where modules are listed")
        }
        if external, addToConfig != nil {
            throw ScaffoldError(.cannotEdit, "--add-to-config appends under connectors:, but an external module also needs a modules: entry; paste the printed snippet instead")
        }
        if external, manifest.contains("\"\(name.executable)\"") || FileManager.default.fileExists(atPath: packageDirectory + "/Sources/" + name.executable) {
            throw ScaffoldError(.nameTaken, "an executable \(name.executable) exists already; choose another name")
        }
        if manifest.contains("\"\(name.target)\"") {
            throw ScaffoldError(.nameTaken, "Package.swift already has a target \(name.target); choose another name")
        }
        for folder in ["Sources/\(name.target)", "Tests/\(name.testTarget)"] where fileManager.fileExists(atPath: packageDirectory + "/" + folder) {
            throw ScaffoldError(.targetFolderExists, "\(folder) exists; new-connector never writes into an existing folder (remove it, or choose another name)")
        }
        if let owner = moduleDeclaring(name.module, in: packageDirectory + "/Sources") {
            throw ScaffoldError(.nameTaken, "the module name '\(name.module)' is taken by \(owner); choose another name")
        }

        let templates = ModuleTemplates(name: name, features: features)
        let example = ExampleTemplates(name: name, features: features, external: external)
        let lines = manifest.components(separatedBy: "\n")
        let markerIndex = lines.firstIndex { $0.trimmingCharacters(in: .whitespaces) == marker }!
        let indentation = String(lines[markerIndex].prefix { $0 == " " })
        var edited = lines
        edited.insert(indentation + (external ? "(library: \"\(name.target)\", executable: \"\(name.executable)\")," : ".module(\"\(name.target)\"),"),
                      at: markerIndex)

        var config: (String, String)?
        if let configPath = addToConfig {
            config = (configPath, try appended(example.snippet, connector: name.module, to: packageDirectory + "/" + configPath, shownAs: configPath))
        }
        let server = external ? [("Sources/\(name.executable)/main.swift", """
            import ModuleProtocol
            import \(name.target)

            // The `\(name.module)` module as its own process, speaking docs/module-protocol.md on stdin/stdout.
            // The same \(name.moduleType) could be built into switchboard instead (new-connector without --external).
            await ModuleServer.serve(\(name.moduleType)())

            """)] : []
        return ScaffoldPlan(name: name, files: templates.files() + server + [example.testFile], manifest: edited.joined(separator: "\n"),
                            snippet: example.snippet, config: config, external: external)
    }

    /// The file of another module whose `name` is `module`, if any.
    static func moduleDeclaring(_ module: String, in sources: String) -> String? {
        guard let enumerator = FileManager.default.enumerator(atPath: sources) else { return nil }
        let pattern = "\\bname\\s*(:\\s*String\\s*)?=\\s*\"\(NSRegularExpression.escapedPattern(for: module))\""
        while let path = enumerator.nextObject() as? String {
            guard path.hasSuffix(".swift"), let text = try? String(contentsOfFile: sources + "/" + path, encoding: .utf8),
                  text.contains("ConnectorModule"), text.range(of: pattern, options: .regularExpression) != nil else { continue }
            return "Sources/" + path
        }
        return nil
    }

    /// connectors.yaml with the snippet appended under `connectors:`, which must be its last top-level key.
    static func appended(_ snippet: String, connector: String, to path: String, shownAs: String) throws(ScaffoldError) -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ScaffoldError(.cannotEdit, "cannot read \(shownAs) to add the connector; drop --add-to-config and paste the snippet yourself")
        }
        let topLevel = text.components(separatedBy: "\n").filter { line in
            guard let first = line.first else { return false }
            return first != " " && first != "#" && first != "\t" && line.contains(":")
        }
        guard topLevel.last?.hasPrefix("connectors:") == true else {
            throw ScaffoldError(.cannotEdit, "\(shownAs): `connectors:` must be the last top-level section to append to; paste the printed snippet under it instead")
        }
        if text.range(of: "(?m)^  \(NSRegularExpression.escapedPattern(for: connector)):", options: .regularExpression) != nil {
            throw ScaffoldError(.nameTaken, "\(shownAs) already declares a connector named '\(connector)'")
        }
        return (text.hasSuffix("\n") ? text : text + "\n") + snippet
    }

    /// Writes the plan: new folders are assembled aside and moved into place, edited files replaced
    /// atomically; on any failure everything done so far is undone.
    public static func apply(_ plan: ScaffoldPlan, packageDirectory: String) throws(ScaffoldError) {
        let fileManager = FileManager.default
        let staging = packageDirectory + "/.new-connector-\(UUID().uuidString)"
        var undo: [() -> Void] = []
        defer { try? fileManager.removeItem(atPath: staging) }
        do {
            for file in plan.files {
                let target = staging + "/" + file.path
                try fileManager.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try file.text.write(toFile: target, atomically: true, encoding: .utf8)
            }
            for folder in ["Sources/\(plan.name.target)", "Tests/\(plan.name.testTarget)"] + (plan.external ? ["Sources/\(plan.name.executable)"] : []) {
                let destination = packageDirectory + "/" + folder
                try fileManager.createDirectory(atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try fileManager.moveItem(atPath: staging + "/" + folder, toPath: destination)
                undo.append { try? fileManager.removeItem(atPath: destination) }
            }
            try replace(packageDirectory + "/Package.swift", with: plan.manifest, undo: &undo)
            if let config = plan.config { try replace(packageDirectory + "/" + config.path, with: config.text, undo: &undo) }
        } catch {
            for step in undo.reversed() { step() }
            throw ScaffoldError(.writeFailed, "writing failed (\(error.localizedDescription)); everything written was removed again")
        }
    }

    private static func replace(_ path: String, with text: String, undo: inout [() -> Void]) throws {
        let original = try String(contentsOfFile: path, encoding: .utf8)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        undo.append { try? original.write(toFile: path, atomically: true, encoding: .utf8) }
    }
}
