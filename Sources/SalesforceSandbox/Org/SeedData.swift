/// Deterministic data for the sandbox org: the same seed and sizes always give the same rows, ids
/// and timestamps. Timestamps deliberately repeat in runs, so `(SystemModstamp, Id)` cursors are
/// tested against ties.
public struct SeedData: Sendable, Hashable {
    /// The random seed.
    public var seed: UInt64
    /// Contacts to create (employees).
    public var contacts: Int
    /// Cases to create.
    public var cases: Int
    /// Knowledge articles to create (each with an `en_US` version; every third also `fr`).
    public var articles: Int
    /// Words of generated prose in each article body (``ArticleProse``); 0 gives every article
    /// the same short body.
    public var articleWords: Int

    /// Creates a seed description.
    public init(seed: UInt64 = 42, contacts: Int = 250, cases: Int = 40, articles: Int = 30, articleWords: Int = 0) {
        self.seed = seed
        self.contacts = contacts
        self.cases = cases
        self.articles = articles
        self.articleWords = articleWords
    }

    /// Articles to seed for `online` of them to be published (`Online`) in `en_US`.
    public static func articles(online: Int) -> Int {
        var total = 0
        var published = 0
        while published < online {
            total += 1
            if publishStatus(ofArticle: total) == "Online" { published += 1 }
        }
        return total
    }

    /// The seeded status of article `n` (from 1): every tenth archived, every seventh (not tenth) a draft.
    static func publishStatus(ofArticle n: Int) -> String {
        n % 10 == 0 ? "Archived" : (n % 7 == 0 ? "Draft" : "Online")
    }

    /// The integration user the connected app runs as.
    public static let integrationUsername = "integration@sandbox.switchboard.example"
    /// 2026-01-01T00:00:00Z in milliseconds: every seeded timestamp is after it.
    static let epoch: Int64 = 1_767_225_600_000

    /// Generates every record.
    func generate() -> [SandboxRecord] {
        var random = SplitMix64(seed: seed)
        var records: [SandboxRecord] = []
        var clock = Self.epoch
        func stamp() -> FieldValue {
            // Runs of equal timestamps: a third of the rows share their predecessor's stamp.
            // Whole seconds, as Salesforce stamps.
            if random.next() % 3 != 0 { clock += (Int64(random.next() % 90_000) / 1000 + 1) * 1000 }
            return .dateTime(clock)
        }
        func system(_ values: inout [String: FieldValue], created: FieldValue) {
            values["IsDeleted"] = .bool(false)
            values["CreatedDate"] = created
            values["CreatedById"] = .string(SalesforceID.make(prefix: "005", number: 1))
            values["LastModifiedDate"] = created
            values["SystemModstamp"] = created
        }

        var user: [String: FieldValue] = [
            "Id": .string(SalesforceID.make(prefix: "005", number: 1)), "Username": .string(Self.integrationUsername),
            "Name": .string("Integration User"), "Email": .string(Self.integrationUsername), "IsActive": .bool(true),
        ]
        system(&user, created: .dateTime(Self.epoch))
        records.append(SandboxRecord(object: "User", values: user))
        var agent: [String: FieldValue] = [
            "Id": .string(SalesforceID.make(prefix: "005", number: 2)), "Username": .string("agent@sandbox.switchboard.example"),
            "Name": .string("Avery Agent"), "Email": .string("agent@sandbox.switchboard.example"), "IsActive": .bool(true),
        ]
        system(&agent, created: .dateTime(Self.epoch))
        records.append(SandboxRecord(object: "User", values: agent))

        let firstNames = ["Ada", "Grace", "Alan", "Barbara", "Edsger", "Frances", "Donald", "Margaret", "Ken", "Radia", "Linus", "Hedy"]
        let lastNames = ["Lovelace", "Hopper", "Turing", "Liskov", "Dijkstra", "Allen", "Knuth", "Hamilton", "Thompson", "Perlman", "Torvalds", "Lamarr"]
        let departments = ["Engineering", "Finance", "Sales", "Support", "People", "Legal"]
        var contactIDs: [String] = []
        for n in 1...max(contacts, 1) where n <= contacts {
            let first = firstNames[Int(random.next() % UInt64(firstNames.count))]
            let last = lastNames[Int(random.next() % UInt64(lastNames.count))]
            let id = SalesforceID.make(prefix: "003", number: n)
            contactIDs.append(id)
            var values: [String: FieldValue] = [
                "Id": .string(id), "AccountId": .string(SalesforceID.make(prefix: "001", number: 1)),
                "FirstName": .string(first), "LastName": .string(last), "Name": .string("\(first) \(last)"),
                "Email": .string("\(first.lowercased()).\(last.lowercased()).\(n)@acme.example"),
                "Phone": n % 4 == 0 ? .null : .string("+1 555 01\(String(format2: n % 100))"),
                "Title": .string(["Engineer", "Analyst", "Manager", "Director"][n % 4]),
                "Department": .string(departments[Int(random.next() % UInt64(departments.count))]),
                "Employee_Id__c": .string("E\(100_000 + n)"),
            ]
            system(&values, created: stamp())
            records.append(SandboxRecord(object: "Contact", values: values))
        }

        let subjects = ["Laptop will not boot", "VPN disconnects", "Password reset", "New monitor request", "Printer jam",
                        "Access to finance share", "Email quota full", "Phone not ringing"]
        let statuses = ["New", "Working", "Escalated", "Closed"]
        var caseIDs: [String] = []
        for n in 1...max(cases, 1) where n <= cases {
            let id = SalesforceID.make(prefix: "500", number: n)
            caseIDs.append(id)
            let status = statuses[Int(random.next() % UInt64(statuses.count))]
            let created = stamp()
            var values: [String: FieldValue] = [
                "Id": .string(id), "CaseNumber": .string(String(1000 + n)),
                "Subject": .string(subjects[Int(random.next() % UInt64(subjects.count))]),
                "Description": .string("Seeded case \(n)."), "Status": .string(status),
                "Priority": .string(["High", "Medium", "Low"][Int(random.next() % 3)]), "Origin": .string("Web"),
                "ContactId": contactIDs.isEmpty ? .null : .string(contactIDs[Int(random.next() % UInt64(contactIDs.count))]),
                "OwnerId": .string(SalesforceID.make(prefix: "005", number: 2)), "IsClosed": .bool(status == "Closed"),
                "ClosedDate": status == "Closed" ? created : .null,
            ]
            system(&values, created: created)
            records.append(SandboxRecord(object: "Case", values: values))
        }
        for (index, caseID) in caseIDs.enumerated() where index % 2 == 0 {
            var values: [String: FieldValue] = [
                "Id": .string(SalesforceID.make(prefix: "00a", number: index + 1)), "ParentId": .string(caseID),
                "CommentBody": .string("We are looking into it."), "IsPublished": .bool(true),
            ]
            system(&values, created: stamp())
            values["CreatedById"] = .string(SalesforceID.make(prefix: "005", number: 2))
            records.append(SandboxRecord(object: "CaseComment", values: values))
        }

        let topics = ["VPN", "Printer", "Password", "Laptop", "Email", "Expenses", "Travel", "Benefits"]
        var versionNumber = 0
        for n in 1...max(articles, 1) where n <= articles {
            let topic = topics[(n - 1) % topics.count]
            let articleID = SalesforceID.make(prefix: "kA0", number: n)
            let languages = n % 3 == 0 ? ["en_US", "fr"] : ["en_US"]
            for language in languages {
                versionNumber += 1
                let published = stamp()
                let status = Self.publishStatus(ofArticle: n)
                let title = language == "fr" ? "\(topic) : guide \(n)" : "How to fix \(topic) issues (\(n))"
                var values: [String: FieldValue] = [
                    "Id": .string(SalesforceID.make(prefix: "ka0", number: versionNumber)), "KnowledgeArticleId": .string(articleID),
                    "ArticleNumber": .string(String(format9: n)), "Title": .string(title),
                    "UrlName": .string("\(topic.lowercased())-\(n)\(language == "fr" ? "-fr" : "")"),
                    "Summary": .string("Steps for \(topic.lowercased()) problems."), "PublishStatus": .string(status),
                    "Language": .string(language), "VersionNumber": .int(1), "IsLatestVersion": .bool(true),
                    "FirstPublishedDate": status == "Draft" ? .null : published,
                    "LastPublishedDate": status == "Draft" ? .null : published,
                    "Body__c": .string(articleWords > 0
                        ? ArticleProse.body(topic: topic, words: articleWords, seed: seed ^ (UInt64(versionNumber) &* 0x9E37_79B9_7F4A_7C15))
                        : "<h2>\(topic)</h2><p>First, restart the <b>\(topic.lowercased())</b> client.</p>"
                        + "<ul><li>Check the cable &amp; power.</li><li>Call the help desk.</li></ul>"),
                ]
                system(&values, created: published)
                records.append(SandboxRecord(object: "Knowledge__kav", values: values))
            }
        }
        return records
    }
}

/// SplitMix64: a tiny, well-distributed deterministic generator.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension String {
    init(format2 value: Int) { self = value < 10 ? "0\(value)" : String(value) }
    init(format9 value: Int) {
        let digits = value.description
        self = String(repeating: "0", count: Swift.max(0, 9 - digits.count)) + digits
    }
}
