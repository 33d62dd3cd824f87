import GRDB
import GRDBSQLite

/// Runs one execution of a prepared (cached) statement by binding its parameters straight through
/// the SQLite C API: the bulk upserts of a sync write tens of thousands of rows, and building
/// GRDB's `StatementArguments` (an array of existentials, converted value by value) cost more
/// than SQLite's own insert. Strings are bound as UTF-8 bytes copied by SQLite
/// (`SQLITE_TRANSIENT`); the statement is reset first and its bindings cleared after, so GRDB
/// finds it as it left it.
struct RowWriter: ~Copyable {
    private let statement: Statement
    private let handle: OpaquePointer
    private let db: Database

    /// Copy the bytes: the Swift buffers they come from do not outlive the bind call.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Prepares `statement` (from `db.cachedStatement`) for a new row.
    init(_ statement: Statement, in db: Database) {
        self.statement = statement
        self.handle = statement.sqliteStatement
        self.db = db
        sqlite3_reset(handle)
    }

    /// Binds text (NULL when nil) to parameter `index` (1-based).
    func bind(_ index: Int32, _ text: String?) {
        guard var text else {
            sqlite3_bind_null(handle, index)
            return
        }
        text.withUTF8 { bind(index, UnsafeRawBufferPointer($0)) }
    }

    /// Binds UTF-8 bytes as text to parameter `index`.
    func bind(_ index: Int32, utf8 bytes: [UInt8]) {
        bytes.withUnsafeBytes { bind(index, $0) }
    }

    private func bind(_ index: Int32, _ bytes: UnsafeRawBufferPointer) {
        if let base = bytes.baseAddress, bytes.count > 0 {
            sqlite3_bind_text(handle, index, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), Self.transient)
        } else {
            sqlite3_bind_text(handle, index, "", 0, nil)  // empty text, not NULL
        }
    }

    /// Binds a real number to parameter `index`.
    func bind(_ index: Int32, _ value: Double) {
        sqlite3_bind_double(handle, index, value)
    }

    /// Runs the statement to completion.
    /// - Throws: `DatabaseError` with SQLite's code and message (a constraint, a full disk).
    consuming func execute() throws {
        var code = sqlite3_step(handle)
        while code == SQLITE_ROW { code = sqlite3_step(handle) }
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                                sql: statement.sql)
        }
    }
}
