import Foundation
@testable import SalesforceSandbox
import Testing

@Suite("SOQL subset parser and Salesforce dates")
struct SOQLParserTests {
    @Test func parsesTheShapesConnectorsSend() throws {
        let query = try SOQLParser.parse(
            "SELECT Id, Subject FROM Case WHERE (ContactId = '003SBX000000001YBA' AND IsClosed = false) OR Status IN ('New', 'Working') "
                + "ORDER BY SystemModstamp DESC NULLS LAST, Id LIMIT 10 OFFSET 5")
        #expect(query.fields == ["Id", "Subject"] && query.object == "Case")
        #expect(query.orderBy == [SOQLOrdering(field: "SystemModstamp", ascending: false, nullsFirst: false),
                                  SOQLOrdering(field: "Id", ascending: true, nullsFirst: true)])
        #expect(query.limit == 10 && query.offset == 5)
        #expect(query.condition == .or(
            .and(.compare(field: "ContactId", op: .equal, value: .string("003SBX000000001YBA")), .compare(field: "IsClosed", op: .equal, value: .bool(false))),
            .inList(field: "Status", values: [.string("New"), .string("Working")], negated: false)))
    }

    @Test func literals() throws {
        let query = try SOQLParser.parse("select id from contact where SystemModstamp >= 2026-01-05T10:00:00.000+01:00 and Name like 'O\\'Br%' and Email != null")
        guard case .and(.and(.compare(_, .greaterOrEqual, .dateTime(let millis)), .like(_, let pattern)), .compare(_, .notEqual, .null)) = query.condition else {
            Issue.record("unexpected tree \(String(describing: query.condition))")
            return
        }
        #expect(SalesforceDate.format(millis: millis) == "2026-01-05T09:00:00.000+0000")
        #expect(pattern == "O'Br%")
        #expect(SOQLEvaluator.like("o'brien", "o'br%") && !SOQLEvaluator.like("obrien", "o'br%") && SOQLEvaluator.like("abc", "a_c"))
    }

    @Test(arguments: ["SELECT", "SELECT Id", "SELECT Id FROM", "SELECT Id FROM Case WHERE", "SELECT Id FROM Case WHERE Id = ",
                      "SELECT Id FROM Case WHERE Id = 'x", "SELECT Id FROM Case LIMIT -1", "SELECT Id FROM Case ORDER Id",
                      "SELECT Id FROM Case WHERE (Id = 'a'", "SELECT Id FROM Case extra"])
    func malformedQueriesAreRefused(_ text: String) {
        #expect(throws: SOQLParser.Failure.self) { try SOQLParser.parse(text) }
    }

    @Test func datesRoundTrip() {
        #expect(SalesforceDate.parse("2021-11-06T17:38:40.000+0000").map(SalesforceDate.format) == "2021-11-06T17:38:40.000+0000")
        #expect(SalesforceDate.parse("2026-01-01T00:00:00Z") == 1_767_225_600_000)
        #expect(SalesforceDate.parse("2026-01-01T01:00:00+01:00") == 1_767_225_600_000)
        #expect(SalesforceDate.parse("2026-01-01T00:00:00.5Z") == 1_767_225_600_500)
        #expect(SalesforceDate.format(millis: 951_782_400_000) == "2000-02-29T00:00:00.000+0000")
        #expect(SalesforceDate.parse("2026-13-01T00:00:00Z") == nil)
        #expect(SalesforceDate.parse("2026-01-01") == nil)
    }

    /// The digit-by-digit formatter agrees with Foundation's for instants from 1900 to 2200,
    /// milliseconds included, and every one parses back to itself.
    @Test func formatAgreesWithFoundation() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSSZ"
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let millis = Int64.random(in: -2_208_988_800_000...7_258_118_400_000, using: &generator)
            let text = SalesforceDate.format(millis: millis)
            // (+0.1 ms: a formatter that truncates sees the intended millisecond despite binary fractions)
            #expect(text == formatter.string(from: Date(timeIntervalSince1970: (Double(millis) + 0.1) / 1000)), "\(millis)")
            #expect(SalesforceDate.parse(text) == millis)
            // The bytes query pages are written with are the same text.
            let bytes = [UInt8](unsafeUninitializedCapacity: 28) { $1 = SalesforceDate.write(millis: millis, to: $0) }
            #expect(String(decoding: bytes, as: UTF8.self) == text, "\(millis)")
        }
        // Outside years 0…9999 the byte writer declines (the page writer then uses the text).
        #expect([UInt8](unsafeUninitializedCapacity: 28) { $1 = SalesforceDate.write(millis: 253_402_300_800_000, to: $0) }.isEmpty)
        #expect(SalesforceDate.format(millis: 253_402_300_800_000) == "10000-01-01T00:00:00.000+0000")
    }

    @Test func idsHaveTheCaseSafeSuffix() {
        // 15 characters, then 3 encoding which of them are uppercase (Salesforce's algorithm).
        #expect(SalesforceID.suffix("001A0000006Vm9r") == "IAC")
        #expect(SalesforceID.make(prefix: "003", number: 1).count == 18)
    }
}
