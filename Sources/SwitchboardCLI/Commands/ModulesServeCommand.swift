import ArgumentParser
import ConnectorKit
import Foundation
import ModuleProtocol

/// `switchboard modules serve MODULE`: a module of this build served over the external module
/// protocol on stdin/stdout, so a host runs it in a process of its own — the same code as in
/// process, isolated (a crash or a leak in it never takes the host down).
struct ModulesServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a module of this build over the external module protocol (stdin/stdout), for a host to run in its own process.",
        discussion: """
            A host starts this itself; you do not run it by hand. Declare it in connectors.yaml under modules:, with --as naming it apart from the in-process module (the key under modules: must equal that name), and use that name as a connector's module:

              modules:
                salesforce-isolated:
                  command: /usr/local/bin/switchboard
                  args: [modules, serve, salesforce, --as, salesforce-isolated]
              connectors:
                acme:
                  module: salesforce-isolated
                  …the salesforce module's settings…

            The protocol is docs/module-protocol.md. Secrets, signing keys and HTTP stay in the host: the served module asks for them by reference. A private key is never handed over; the host signs with it. A live-agent section should name its certificate (live-agent.certificate), since a self-signed one would need the private key.
            """)

    @Argument(help: "The module to serve (see switchboard modules).")
    var module: String

    @Option(name: .customLong("as"), help: "The name to report in the handshake (default: the module's own).")
    var name: String?

    func run() async throws {
        guard let found = CompiledModules.registry.module(named: module) else {
            let known = CompiledModules.registry.modules.map(\.name).sorted().joined(separator: ", ")
            FileHandle.standardError.write(Data("switchboard modules serve: no module named \(module) in this build (known: \(known))\n".utf8))
            throw ExitCode.failure
        }
        await ModuleServer.serve(found, as: name)
    }
}
