import Foundation
import PackagePlugin

/// `swift package --allow-writing-to-package-directory new-connector NAME --features …`: a thin shell
/// around the `switchboard-scaffold` tool, which does the work (and is tested as ordinary Swift).
@main
struct NewConnector: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {
        let tool = try context.tool(named: "switchboard-scaffold")
        let process = Process()
        process.executableURL = tool.url
        process.arguments = ["new-connector", "--package-directory", context.package.directoryURL.path] + arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            Diagnostics.error("new-connector failed (exit status \(process.terminationStatus)); nothing was written")
            throw ExitCode(process.terminationStatus)
        }
    }

    struct ExitCode: Error, CustomStringConvertible {
        let status: Int32
        init(_ status: Int32) { self.status = status }
        var description: String { "exit status \(status)" }
    }
}
