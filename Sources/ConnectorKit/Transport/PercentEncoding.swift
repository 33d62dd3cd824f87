import Foundation

/// Percent-encoding of a query value or a form field (`application/x-www-form-urlencoded`): every
/// character but RFC 3986's unreserved ones (ASCII letters, digits, `-._~`) becomes `%XX` of its UTF-8.
public enum PercentEncoding {
    /// RFC 3986 unreserved characters (ASCII only).
    public static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// `text` with everything but unreserved characters percent-encoded.
    public static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}
