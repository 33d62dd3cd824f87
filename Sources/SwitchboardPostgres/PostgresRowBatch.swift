import ConnectorKit
import Foundation
import SwitchboardHost

/// A batch's rows as one JSON array bound to one statement (`json_to_recordset`): a round trip per
/// batch instead of per row, NULLs kept. Rows with the same id keep the last (one upsert may not
/// touch a row twice).
enum PostgresRowBatch {
    /// `[{"id":…,"email":…,"first_name":…,"last_name":…,"fields":"{…}","modified_at":…},…]`
    static func users(_ users: [UserRecord]) -> String {
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(users.count * 200)
        for (index, user) in lastOfEachID(users, id: \.id).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            object(&out, [("id", user.id), ("email", user.email), ("first_name", user.firstName), ("last_name", user.lastName),
                          ("fields", StoredRows.fieldsJSON(user.fields))], number: ("modified_at", user.modifiedAt.timeIntervalSince1970))
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }

    /// The articles, the same way.
    static func articles(_ articles: [KnowledgeArticle]) -> String {
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (index, article) in lastOfEachID(articles, id: \.id).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            object(&out, [("id", article.id), ("article_number", article.articleNumber), ("title", article.title), ("summary", article.summary),
                          ("url_name", article.urlName), ("language", article.language), ("body_html", StoredRows.fieldsJSON(article.bodyHTML)),
                          ("body_text", article.bodyText)], number: ("modified_at", article.modifiedAt.timeIntervalSince1970))
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }

    static func lastOfEachID<Row>(_ rows: [Row], id: (Row) -> String) -> [Row] {
        var last: [String: Int] = [:]
        for (index, row) in rows.enumerated() { last[id(row)] = index }
        return rows.enumerated().filter { last[id($0.element)] == $0.offset }.map(\.element)
    }

    static func object(_ out: inout [UInt8], _ texts: [(String, String?)], number: (String, Double)) {
        out.append(UInt8(ascii: "{"))
        for (key, value) in texts {
            JSONValue.writeString(key, into: &out)
            out.append(UInt8(ascii: ":"))
            if let value { JSONValue.writeString(value, into: &out) } else { out.append(contentsOf: Array("null".utf8)) }
            out.append(UInt8(ascii: ","))
        }
        JSONValue.writeString(number.0, into: &out)
        out.append(UInt8(ascii: ":"))
        out.append(contentsOf: Array("\(number.1)".utf8))
        out.append(UInt8(ascii: "}"))
    }
}
