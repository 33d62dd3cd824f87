import ConnectorKit
import Foundation
@testable import SalesforceSandbox
import Testing

/// REST queries over real HTTP: paging, cursors with ties, errors with Salesforce's shapes,
/// `Sforce-Limit-Info`, the daily limit, sessions.
@Suite("Sandbox REST query")
struct QueryTests {
    @Test func pagesFollowNextRecordsUrlUntilDone() async throws {
        try await SandboxClient.with { client in
            let first = try await client.query("SELECT Id, Email FROM Contact ORDER BY SystemModstamp, Id", batchSize: 200)
            #expect(first.status == 200)
            let page1 = try SandboxClient.object(first)
            #expect(page1["totalSize"] as? Int == 250 && page1["done"] as? Bool == false)
            let next = try #require(page1["nextRecordsUrl"] as? String)
            #expect(next.hasPrefix("/services/data/v62.0/query/01gSBX") && next.hasSuffix("-200"))
            let records1 = try #require(page1["records"] as? [[String: Any]])
            #expect(records1.count == 200)
            let attributes = try #require(records1[0]["attributes"] as? [String: Any])
            #expect(attributes["type"] as? String == "Contact")
            #expect((attributes["url"] as? String)?.hasPrefix("/services/data/v62.0/sobjects/Contact/003SBX") == true)

            let page2 = try SandboxClient.object(try await client.get(next))
            #expect(page2["done"] as? Bool == true && page2["nextRecordsUrl"] == nil && page2["totalSize"] as? Int == 250)
            let records2 = try #require(page2["records"] as? [[String: Any]])
            #expect(records2.count == 50)
            let ids = (records1 + records2).compactMap { $0["Id"] as? String }
            #expect(Set(ids).count == 250 && ids.allSatisfy { $0.count == 18 })
        }
    }

    /// Text that needs escaping, non-ASCII text, numbers, booleans, nulls and dateTimes come out
    /// of a query page and a record GET as the JSON of what was stored.
    @Test func recordValuesAreWrittenAsExactJSON() async throws {
        try await SandboxClient.with { client in
            let awkward = "say \"hi\" \\ then\nnew line\t\u{1} zoë 日本"
            let id = try client.sandbox.org.insert("Contact", values: ["LastName": .string(awkward), "FirstName": .null, "Email": .string("x@y.example")])
            let page = try SandboxClient.object(try await client.query("SELECT Id, LastName, FirstName, IsDeleted, CreatedDate FROM Contact WHERE Id = '\(id)'"))
            let record = try #require((page["records"] as? [[String: Any]])?.first)
            #expect(record["LastName"] as? String == awkward)
            #expect(record["FirstName"] is NSNull)
            #expect(record["IsDeleted"] as? Bool == false)
            let created = try #require(record["CreatedDate"] as? String)
            #expect(created.count == 28 && created.hasSuffix("+0000"))
            let fetched = try SandboxClient.object(try await client.get("/services/data/v62.0/sobjects/Contact/\(id)?fields=LastName,CreatedDate"))
            #expect(fetched["LastName"] as? String == awkward && fetched["CreatedDate"] as? String == created)
            #expect((fetched["attributes"] as? [String: Any])?["url"] as? String == "/services/data/v62.0/sobjects/Contact/\(id)")
        }
    }

    @Test func batchSizeIsClampedAndDefaultsTo2000() async throws {
        #expect(QueryRoutes.batchSize(nil) == 2000)
        #expect(QueryRoutes.batchSize("batchSize=50") == 200)
        #expect(QueryRoutes.batchSize("batchSize=5000") == 2000)
        #expect(QueryRoutes.batchSize("batchSize=500") == 500)
        var configuration = SandboxConfiguration()
        configuration.seed = SeedData(contacts: 2500)
        try await SandboxClient.with(configuration) { client in
            let page = try SandboxClient.object(try await client.query("SELECT Id FROM Contact"))
            #expect((page["records"] as? [Any])?.count == 2000 && page["done"] as? Bool == false)
        }
    }

    /// The incremental cursor the connectors use: (SystemModstamp, Id) keyset pages with ties.
    @Test func keysetCursorSeesEveryRowOnceDespiteTies() async throws {
        try await SandboxClient.with { client in
            let stamps = client.sandbox.org.records("Contact").map { $0["SystemModstamp"] }
            #expect(Set(stamps).count < stamps.count, "the seed has ties to test against")
            var seen: [String] = []
            var cursor: (String, String)?
            while true {
                let filter = cursor.map { " WHERE SystemModstamp > \($0.0) OR (SystemModstamp = \($0.0) AND Id > '\($0.1)')" } ?? ""
                let page = try SandboxClient.object(try await client.query(
                    "SELECT Id, SystemModstamp FROM Contact\(filter) ORDER BY SystemModstamp, Id LIMIT 7"))
                let records = try #require(page["records"] as? [[String: Any]])
                if records.isEmpty { break }
                seen += records.compactMap { $0["Id"] as? String }
                let last = records.last!
                let stamp = try #require(last["SystemModstamp"] as? String)
                #expect(stamp.hasSuffix("+0000") && stamp.count == 28, "Salesforce's dateTime shape: \(stamp)")
                cursor = (stamp, last["Id"] as! String)
            }
            #expect(seen.count == 250 && Set(seen).count == 250)
        }
    }

    @Test func queryErrorsHaveSalesforceShapes() async throws {
        try await SandboxClient.with { client in
            let unknownField = try await client.query("SELECT Id, Foo__c FROM Case")
            #expect(unknownField.status == 400)
            let error = try SandboxClient.firstError(unknownField)
            #expect(error["errorCode"] as? String == "INVALID_FIELD")
            #expect((error["message"] as? String)?.contains("No such column 'Foo__c' on entity 'Case'") == true)

            let malformed = try SandboxClient.firstError(try await client.query("SELECT FROM Case"))
            #expect(malformed["errorCode"] as? String == "MALFORMED_QUERY")
            #expect(malformed["message"] as? String == "unexpected token: 'FROM'")

            let quotedDate = try SandboxClient.firstError(try await client.query("SELECT Id FROM Case WHERE SystemModstamp > '2026-01-01T00:00:00Z'"))
            #expect((quotedDate["message"] as? String)?.contains("must be of type dateTime and should not be enclosed in quotes") == true)

            let unknownObject = try SandboxClient.firstError(try await client.query("SELECT Id FROM Ticket__c"))
            #expect(unknownObject["errorCode"] as? String == "INVALID_TYPE")

            let knowledge = try SandboxClient.firstError(try await client.query("SELECT Id, Title FROM Knowledge__kav"))
            #expect(knowledge["errorCode"] as? String == "MALFORMED_QUERY")
            // A stock org's articles have no body field: Body__c is one an admin creates.
            let custom = try SandboxClient.firstError(try await client.query("SELECT Id, Body__c FROM Knowledge__kav WHERE PublishStatus = 'Online' AND Language = 'en_US'"))
            #expect(custom["errorCode"] as? String == "INVALID_FIELD")
            let stockContact = try SandboxClient.firstError(try await client.query("SELECT Id, Employee_Id__c FROM Contact"))
            #expect(stockContact["errorCode"] as? String == "INVALID_FIELD")
            let online = try await client.query("SELECT Id, Title, Summary FROM Knowledge__kav WHERE PublishStatus = 'Online' AND Language = 'en_US'")
            #expect(online.status == 200)
            let articles = try #require(try SandboxClient.object(online)["records"] as? [[String: Any]])
            #expect(!articles.isEmpty && articles.allSatisfy { ($0["Summary"] as? String)?.hasPrefix("Steps for") == true })

            // A real org refuses an Id (or reference) compared with something that is not an id — the
            // empty cursor `Id > ''` of a fresh org among them.
            for filter in ["Id > ''", "Id = 'nope'", "ParentId = ''", "Id IN ('500SBX000000001AAA', 'x')"] {
                let badID = try await client.query("SELECT Id FROM CaseComment WHERE SystemModstamp > 2026-01-01T00:00:00Z AND \(filter)")
                let idError = try SandboxClient.firstError(badID)
                #expect(badID.status == 400 && idError["errorCode"] as? String == "INVALID_QUERY_FILTER_OPERATOR", "\(filter)")
                #expect((idError["message"] as? String)?.contains("invalid ID field") == true)
            }
            #expect(try await client.query("SELECT Id FROM Case WHERE Id > '500000000000000' AND OwnerId != null").status == 200)

            let badLocator = try await client.get("/services/data/v62.0/query/01gSBX999999999AAA-200")
            let locatorError = try SandboxClient.firstError(badLocator)
            #expect(badLocator.status == 400 && locatorError["errorCode"] as? String == "INVALID_QUERY_LOCATOR")
        }
    }

    /// Salesforce stamps whole seconds: every stamp the org hands out (seeded or written) ends in
    /// `.000`, and writes within one second share it.
    @Test func stampsAreWholeSeconds() async throws {
        try await SandboxClient.with { client in
            let org = client.sandbox.org
            let first = try org.insert("Case", values: ["Subject": .string("one")])
            let second = try org.insert("Case", values: ["Subject": .string("two")])
            for record in org.records("Contact") + org.records("Case") {
                guard case .dateTime(let stamp) = record["SystemModstamp"] else { Issue.record("no stamp"); continue }
                #expect(stamp % 1000 == 0)
            }
            let a = org.record(id: first)!["SystemModstamp"], b = org.record(id: second)!["SystemModstamp"]
            guard case .dateTime(let x) = a, case .dateTime(let y) = b else { Issue.record("no stamps"); return }
            #expect(y >= x && y - x <= 1000, "never backwards; the same second shares a stamp")
        }
    }

    @Test func queryAllIncludesDeletedRows() async throws {
        try await SandboxClient.with { client in
            let id = client.sandbox.org.records("Contact")[0].id
            client.sandbox.org.state.withLock { $0.objects["Contact"]![0]["IsDeleted"] = .bool(true) }
            let live = try SandboxClient.object(try await client.query("SELECT Id FROM Contact WHERE Id = '\(id)'"))
            #expect(live["totalSize"] as? Int == 0)
            let all = try SandboxClient.object(try await client.query("SELECT Id, IsDeleted FROM Contact WHERE Id = '\(id)'", all: true))
            #expect(all["totalSize"] as? Int == 1)
            #expect((all["records"] as? [[String: Any]])?.first?["IsDeleted"] as? Bool == true)
        }
    }

    @Test func limitInfoOnEveryResponseAndTheDailyLimit() async throws {
        var configuration = SandboxConfiguration()
        configuration.dailyApiLimit = 3
        try await SandboxClient.with(configuration) { client in
            let first = try await client.query("SELECT Id FROM Case LIMIT 1")
            #expect(first.header("Sforce-Limit-Info") == "api-usage=1/3")
            let error = try await client.query("SELECT Nope FROM Case")
            #expect(error.status == 400 && error.header("Sforce-Limit-Info") == "api-usage=2/3", "errors carry it too")
            _ = try await client.query("SELECT Id FROM Case LIMIT 1")
            let refused = try await client.query("SELECT Id FROM Case LIMIT 1")
            #expect(refused.status == 403)
            #expect(try SandboxClient.firstError(refused)["errorCode"] as? String == "REQUEST_LIMIT_EXCEEDED")
            #expect(refused.header("Sforce-Limit-Info") == "api-usage=3/3")
            let versions = try await client.get("/services/data")
            #expect(versions.header("Sforce-Limit-Info") == "api-usage=3/3", "on every response")
        }
    }

    @Test func sessionsAreRequired() async throws {
        try await SandboxClient.with { client in
            let response = try await client.transport.send(.init(url: client.base + "/services/data/v62.0/query?q=SELECT+Id+FROM+Case",
                                                                 headers: [("Authorization", "Bearer not-a-token")]))
            #expect(response.status == 401 && response.header("WWW-Authenticate") == "Token")
            #expect(String(decoding: response.body, as: UTF8.self) == #"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#)
            let retired = try await client.get("/services/data/v20.0/query?q=SELECT+Id+FROM+Case")
            #expect(retired.status == 404)
        }
    }

    @Test func seedIsDeterministic() async throws {
        func firstContacts(_ seed: UInt64) async throws -> [String] {
            var configuration = SandboxConfiguration()
            configuration.seed = SeedData(seed: seed, contacts: 20)
            return try await SandboxClient.with(configuration) { client in
                let page = try SandboxClient.object(try await client.query("SELECT Id, Email, SystemModstamp FROM Contact ORDER BY Id"))
                return (page["records"] as? [[String: Any]] ?? []).map { "\($0["Id"]!) \($0["Email"]!) \($0["SystemModstamp"]!)" }
            }
        }
        let a = try await firstContacts(1)
        #expect(a.count == 20)
        #expect(try await firstContacts(1) == a)
        #expect(try await firstContacts(2) != a)
    }

    @Test(.timeLimit(.minutes(1))) func gracefulShutdownEndsOpenStreams() async throws {
        // An endless stream is open while the sandbox shuts down; withRunning must still return.
        try await SandboxClient.with { client in
            let url = client.base + "/__sandbox/stream?interval=20"
            Task { [transport = client.transport] in for try await _ in transport.events(.init(url: url)) {} }
            while (client.sandbox.org.stats.requestsByRoute["GET /__sandbox/stream"] ?? 0) == 0 { try await Task.sleep(for: .milliseconds(5)) }
        }
    }
}
