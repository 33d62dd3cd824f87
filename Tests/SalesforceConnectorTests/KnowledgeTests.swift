import ConnectorKit
import Foundation
import SalesforceConnector
import SalesforceSandbox
import SwitchboardHost
import Testing

@Suite("Knowledge: HTML to text")
struct HTMLTextTests {
    @Test(arguments: [
        ("<p>Hello <b>world</b></p>", "Hello world"),
        ("<h2>VPN</h2><p>First, restart the <b>vpn</b> client.</p><ul><li>Check the cable &amp; power.</li><li>Call us.</li></ul>",
         "VPN\n\nFirst, restart the vpn client.\n\n- Check the cable & power.\n- Call us."),
        ("Line one<br>Line two<br/>Line three", "Line one\nLine two\nLine three"),
        ("<script>alert('x')</script><style>p{}</style><p>Safe</p>", "Safe"),
        ("5 &lt; 6 &gt; 4 &quot;q&quot; &#39;a&#39; &#x263A; &nbsp;x &unknown;", "5 < 6 > 4 \"q\" 'a' ☺ x &unknown;"),
        ("  lots   of\n\n   space  ", "lots of space"),
        ("<div><p>a</p></div><div><p>b</p></div>", "a\n\nb"),
        ("no\u{00A0}break\u{00A0}\u{00A0}space", "no break space"),
        ("one\r\ntwo\r\n\r\n three", "one two three"),
        ("<P>Upper</P><BR><LI>item</LI>", "Upper\n\n- item"),
        ("a<br><br><br><br>b", "a\n\nb"),
        ("Café ☕️ naïve — 日本語", "Café ☕️ naïve — 日本語"),
        ("&amp without semicolon, &#x; &#x110000; &#xD800; a&lt<b>b</b>", "&amp without semicolon, &#x; &#x110000; &#xD800; a&ltb"),
        ("<p>before</p><script type=\"text/javascript\">if (a < b) { x = '</p>' }</script>after", "before\n\nafter"),
        ("text then <unterminated tag", "text then"),
        ("signs are no digits: &#+65; &#x+41; &#-65; &#65;", "signs are no digits: &#+65; &#x+41; &#-65; A"),
    ])
    func plainText(_ html: String, _ expected: String) {
        #expect(HTMLText.plainText(html) == expected)
    }
}

@Suite("Knowledge sync against the sandbox, searched in SQLite", .serialized)
struct KnowledgeSyncTests {
    static func withRig(_ body: @Sendable (SalesforceSandbox, SQLiteStore, KnowledgeSync) async throws -> Void) async throws {
        let directory = NSTemporaryDirectory() + "switchboard-knowledge-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await SalesforceSandbox.withRunning(configuration: SandboxFixture.configuration(contacts: 5)) { sandbox in
            let transport = SandboxFixture.transport(maxAttempts: 2)
            let auth = try SandboxFixture.auth(await sandbox.baseURL(), transport: transport)
            let store = try SQLiteStore(path: directory + "/state.db")
            let context = ConnectorContext(connectorName: "sf", vault: CredentialVault(configuration: .init(vaultPath: nil, masterKey: nil, baseDirectory: "/", environment: [:])),
                                           http: transport, store: store, sink: store, events: store, handoffs: store, logger: SandboxFixture.quiet)
            let sync = KnowledgeSync(rest: SalesforceREST(auth: auth, http: transport, apiVersion: "62.0", connector: "sf"), sink: store,
                                     store: context.store, settings: .init(object: KnowledgeSync.Settings.defaults.object, languages: ["en_US", "fr"],
                                                                           bodyFields: ["Body__c"], batchSize: 200))
            do { try await body(sandbox, store, sync) } catch {
                try? await transport.shutdown()
                throw error
            }
            try await transport.shutdown()
        }
    }

    static func online(_ sandbox: SalesforceSandbox) -> Set<String> {
        Set(sandbox.org.records("Knowledge__kav").filter { $0["PublishStatus"] == .string("Online") }.compactMap { record -> String? in
            guard case .string(let id) = record["KnowledgeArticleId"], case .string(let language) = record["Language"] else { return nil }
            return "\(id):\(language)"
        })
    }

    @Test func loadsOnlineArticlesPerLanguageWithTextAndRemovesArchivedOnes() async throws {
        try await Self.withRig { sandbox, store, sync in
            let first = try await sync.run(mode: .incremental)
            #expect(first.upserted == Self.online(sandbox).count && first.deleted == 0)
            #expect(Set(try await store.ids(connector: "sf", stream: "articles")) == Self.online(sandbox), "drafts and archived versions are not loaded")

            let hits = try await store.searchArticles("restart vpn", language: "en_US")
            let top = try #require(hits.first)
            #expect(top.title.contains("VPN"), "the VPN article ranks first: \(hits.map(\.title))")
            #expect(top.snippet.contains("[restart]") || top.snippet.contains("[VPN]") || top.snippet.contains("[vpn]"))
            #expect(try await store.searchArticles("cable & power").count >= 1, "text from the HTML body, entities decoded")
            #expect(try await store.searchArticles("amp").isEmpty, "no HTML entity text in the index")

            // Archive one article and publish a new version of another.
            let versions = sandbox.org.records("Knowledge__kav").filter { $0["PublishStatus"] == .string("Online") && $0["Language"] == .string("en_US") }
            let archived = versions[0], updated = versions[1]
            sandbox.org.automate(id: archived.id, set: ["PublishStatus": .string("Archived")])
            sandbox.org.automate(id: updated.id, set: ["Title": .string("Brand new printer guide"), "VersionNumber": .int(2)])
            let second = try await sync.run(mode: .incremental)
            #expect(second.upserted == 1 && second.deleted == 1)
            #expect(Set(try await store.ids(connector: "sf", stream: "articles")) == Self.online(sandbox))
            #expect(try await store.searchArticles("brand new printer").first?.title == "Brand new printer guide")
        }
    }

    /// A version changed by a transaction stamped in the cursor's own second, with a lower Id than
    /// the cursor's row, committed after the sync read past it: the next incremental run loads it.
    @Test func aLateCommitInTheCursorsSecondIsLoaded() async throws {
        try await Self.withRig { sandbox, store, sync in
            _ = try await sync.run(mode: .incremental)
            let stored = try #require(try await store.checkpoint(connector: "sf", stream: "articles-en_US"))
            let cursor = try #require(SyncCursor(stored.cursor))
            let lower = try #require(sandbox.org.records("Knowledge__kav").first {
                $0["PublishStatus"] == .string("Online") && $0["Language"] == .string("en_US") && $0.id < cursor.id
            })
            try sandbox.org.commitLate("Knowledge__kav", id: lower.id, values: ["Title": .string("Quietly renamed guide")],
                                       stampedAt: Int64(cursor.modstamp.timeIntervalSince1970 * 1000))
            _ = try await sync.run(mode: .incremental)
            #expect(try await store.searchArticles("quietly renamed").first?.title == "Quietly renamed guide")
        }
    }
}
