import ConnectorKit
@testable import ConnectorScaffold
import Foundation
import Testing

/// The scaffolder refuses clearly with nothing written, writes all or nothing, and generates what
/// the conformance kit and the registry expect. (CI also scaffolds a module into a clone, builds it
/// and runs its conformance tests: `.ci/run`.)
@Suite("new-connector scaffolder")
struct ScaffolderTests {
    /// A throwaway package folder with a Package.swift that has the marker.
    struct Package {
        let path: String
        init(manifest: String = "let connectorModules: [ConnectorModuleTarget] = [\n    .module(\"SalesforceConnector\"),\n    \(Scaffolder.marker)\n]\n") throws {
            path = NSTemporaryDirectory() + "scaffold-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: path + "/Sources", withIntermediateDirectories: true)
            try manifest.write(toFile: path + "/Package.swift", atomically: true, encoding: .utf8)
        }
        func remove() { try? FileManager.default.removeItem(atPath: path) }
        var listing: [String] { (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? []).sorted() }
        func read(_ file: String) throws -> String { try String(contentsOfFile: path + "/" + file, encoding: .utf8) }
    }

    @Test func namesAreCheckedAndDerived() throws {
        let name = try ConnectorName("hr-export")
        #expect(name.target == "HrExportConnector" && name.moduleType == "HrExportModule" && name.testTarget == "HrExportConnectorTests")
        #expect(name.tokenVariable == "HR_EXPORT_API_TOKEN")
        for bad in ["Zendesk", "zen_desk", "-zendesk", "zendesk-", "9lives", "zen--desk", "", String(repeating: "a", count: 41)] {
            #expect(throws: ScaffoldError.self, "\(bad)") { try ConnectorName(bad) }
            do { _ = try ConnectorName(bad) } catch { #expect(error.code == .invalidName) }
        }
        do { _ = try ConnectorName("sandbox") } catch { #expect(error.code == .nameTaken) }
    }

    @Test func featuresAreTheBuiltInOnes() throws {
        #expect(ScaffoldFeature.allCases.map(\.rawValue) == Feature.builtIn.map(\.rawValue))
        #expect(try ScaffoldFeature.parse("knowledge, ticketing,knowledge") == [.knowledge, .ticketing])
        do { _ = try ScaffoldFeature.parse("ticketing,chat") } catch { #expect(error.code == .unknownFeature && error.message.contains("'chat'")) }
        do { _ = try ScaffoldFeature.parse(" , ") } catch { #expect(error.code == .noFeatures) }
    }

    @Test func refusalsWriteNothing() throws {
        let package = try Package()
        defer { package.remove() }
        let before = package.listing
        let manifest = try package.read("Package.swift")
        // A target named in Package.swift.
        do { _ = try Scaffolder.plan(name: try ConnectorName("salesforce"), features: [.ticketing], packageDirectory: package.path) } catch {
            #expect(error.code == .nameTaken)
        }
        // A module name another module declares.
        try FileManager.default.createDirectory(atPath: package.path + "/Sources/Other", withIntermediateDirectories: true)
        try "public struct OtherModule: ConnectorModule {\n    public let name = \"zendesk\"\n}\n".write(toFile: package.path + "/Sources/Other/OtherModule.swift", atomically: true, encoding: .utf8)
        do { _ = try Scaffolder.plan(name: try ConnectorName("zendesk"), features: [.ticketing], packageDirectory: package.path) } catch {
            #expect(error.code == .nameTaken && error.message.contains("Sources/Other/OtherModule.swift"))
        }
        // An existing (dirty) target folder.
        try FileManager.default.createDirectory(atPath: package.path + "/Tests/HelpdeskConnectorTests", withIntermediateDirectories: true)
        do { _ = try Scaffolder.plan(name: try ConnectorName("helpdesk"), features: [.ticketing], packageDirectory: package.path) } catch {
            #expect(error.code == .targetFolderExists)
        }
        // connectors.yaml whose last section is not connectors:.
        try "version: 1\nconnectors:\n  a:\n    module: x\nhost:\n  listen: 127.0.0.1:1\n".write(toFile: package.path + "/connectors.yaml", atomically: true, encoding: .utf8)
        do { _ = try Scaffolder.plan(name: try ConnectorName("desk"), features: [.ticketing], packageDirectory: package.path, addToConfig: "connectors.yaml") } catch {
            #expect(error.code == .cannotEdit)
        }
        #expect(try package.read("Package.swift") == manifest)
        #expect(package.listing.filter { !before.contains($0) } == ["Sources/Other", "Sources/Other/OtherModule.swift", "Tests", "Tests/HelpdeskConnectorTests", "connectors.yaml"])
    }

    @Test func aManifestWithoutTheMarkerIsRefused() throws {
        let package = try Package(manifest: "let package = Package(name: \"x\")\n")
        defer { package.remove() }
        do { _ = try Scaffolder.plan(name: try ConnectorName("desk"), features: [.ticketing], packageDirectory: package.path) } catch {
            #expect(error.code == .cannotEdit && error.message.contains(Scaffolder.marker))
        }
    }

    @Test func applyWritesEverythingAndOneManifestLine() throws {
        let package = try Package()
        defer { package.remove() }
        try "version: 1\nconnectors:\n  a:\n    module: x\n".write(toFile: package.path + "/connectors.yaml", atomically: true, encoding: .utf8)
        let plan = try Scaffolder.plan(name: try ConnectorName("hr-export"), features: [.userIngestion, .ticketing], packageDirectory: package.path, addToConfig: "connectors.yaml")
        try Scaffolder.apply(plan, packageDirectory: package.path)
        #expect(package.listing.filter { $0.hasSuffix(".swift") && $0 != "Package.swift" } == [
            "Sources/HrExportConnector/HrExportConnection.swift", "Sources/HrExportConnector/HrExportModule.swift",
            "Sources/HrExportConnector/HrExportSettings.swift", "Sources/HrExportConnector/HrExportTicketing.swift",
            "Sources/HrExportConnector/HrExportUserIngestion.swift", "Tests/HrExportConnectorTests/HrExportConformanceTests.swift",
        ])
        #expect(!package.listing.contains { $0.hasPrefix(".new-connector") }, "the staging folder is gone")
        let manifest = try package.read("Package.swift")
        #expect(manifest.contains("    .module(\"HrExportConnector\"),\n    \(Scaffolder.marker)"))
        let config = try package.read("connectors.yaml")
        #expect(config.hasSuffix(plan.snippet) && config.contains("  hr-export:\n    module: hr-export\n    features: [user-ingestion, ticketing]"))
        let ticketing = try package.read("Sources/HrExportConnector/HrExportTicketing.swift")
        #expect(ticketing.contains(#"throw ConnectorError.notImplemented("ticketing.create", module: "hr-export")"#))
        let settings = try package.read("Sources/HrExportConnector/HrExportSettings.swift")
        #expect(settings.contains(#"usersSchedule = try settings.requiredDuration("user-ingestion.schedule")"#))
        // A second run refuses: the name is taken now.
        do { _ = try Scaffolder.plan(name: try ConnectorName("hr-export"), features: [.ticketing], packageDirectory: package.path) } catch {
            #expect(error.code == .nameTaken)
        }
    }

    @Test func anExternalModuleGetsAnExecutableAndAModulesEntry() throws {
        let package = try Package(manifest: "let connectorModules = [\n    \(Scaffolder.marker)\n]\nlet externalModuleTargets = [\n    \(Scaffolder.externalMarker)\n]\n")
        defer { package.remove() }
        do { _ = try Scaffolder.plan(name: try ConnectorName("desk"), features: [.ticketing], packageDirectory: package.path, addToConfig: "c.yaml", external: true) } catch {
            #expect(error.code == .cannotEdit && error.message.contains("modules: entry"))
        }
        let plan = try Scaffolder.plan(name: try ConnectorName("desk"), features: [.ticketing], packageDirectory: package.path, external: true)
        try Scaffolder.apply(plan, packageDirectory: package.path)
        #expect(try package.read("Sources/desk-module/main.swift").contains("await ModuleServer.serve(DeskModule())"))
        #expect(try package.read("Package.swift").contains("    (library: \"DeskConnector\", executable: \"desk-module\"),\n    \(Scaffolder.externalMarker)"))
        #expect(plan.snippet.hasPrefix("modules:\n") && plan.snippet.contains("command: .build/debug/desk-module"))
    }

    @Test func aFailureWhileWritingUndoesEverything() throws {
        let package = try Package()
        defer { package.remove() }
        // Tests/ is a file: the test folder cannot be moved into place after Sources/… was.
        try "not a folder".write(toFile: package.path + "/Tests", atomically: true, encoding: .utf8)
        let before = package.listing
        let manifest = try package.read("Package.swift")
        let plan = try Scaffolder.plan(name: try ConnectorName("desk"), features: [.knowledge], packageDirectory: package.path)
        do { try Scaffolder.apply(plan, packageDirectory: package.path) } catch {
            #expect(error.code == .writeFailed)
        }
        #expect(package.listing == before, "nothing half-written")
        #expect(try package.read("Package.swift") == manifest)
    }

    @Test func theRegistryFindsPublicModuleTypes() throws {
        let source = """
            import ConnectorKit
            public struct ZendeskModule: ConnectorModule { }
            struct HiddenModule: ConnectorModule { }
            public final class OtherModule: Sendable, ConnectorModule { }
            public struct Unrelated: Sendable { }
            """
        #expect(RegistrySource.moduleTypes(in: source) == ["ZendeskModule", "OtherModule"])
        let text = try RegistrySource.generate([.init(name: "ZendeskConnector", sources: [("a.swift", source)])])
        #expect(text.contains("import ZendeskConnector") && text.contains("[ZendeskModule(), OtherModule()]"))
        do { _ = try RegistrySource.generate([.init(name: "EmptyConnector", sources: [("a.swift", "struct X {}")])]) } catch {
            #expect(error.code == .cannotEdit && error.message.contains("EmptyConnector"))
        }
    }

    /// The one place a module is listed: every `Sources/*Connector` target is in connectorModules and
    /// nothing else is; the registry comes from those targets.
    @Test func everyConnectorTargetIsListedOnceInPackageSwift() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let manifest = try String(contentsOfFile: root + "/Package.swift", encoding: .utf8)
        let listStart = try #require(manifest.range(of: "let connectorModules: [ConnectorModuleTarget] = ["))
        let listEnd = try #require(manifest.range(of: Scaffolder.marker))
        let list = String(manifest[listStart.upperBound..<listEnd.lowerBound])
        let externalStart = try #require(manifest.range(of: "let externalModuleTargets"))
        let externalEnd = try #require(manifest.range(of: Scaffolder.externalMarker))
        let externalList = String(manifest[externalStart.upperBound..<externalEnd.lowerBound])
        let listed = list.matches(of: /(?:name: |\.module\()"([A-Za-z0-9]+Connector)"/).map { String($0.1) }
            + externalList.matches(of: /library: "([A-Za-z0-9]+Connector)"/).map { String($0.1) }
        let folders = try FileManager.default.contentsOfDirectory(atPath: root + "/Sources").filter { $0.hasSuffix("Connector") }
        #expect(Set(listed) == Set(folders) && listed.count == Set(listed).count, "listed: \(listed), folders: \(folders)")
        for target in listed {
            let sources = try FileManager.default.contentsOfDirectory(atPath: root + "/Sources/" + target).count
            #expect(sources > 0)
        }
    }
}
