#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether a host name or address reaches only this machine — parsed, never matched as text
/// (`127.evil.example` starts with `127.` and is anyone's).
package enum LoopbackCheck {
    /// An IPv4 literal in 127.0.0.0/8, the IPv6 literal `::1` (brackets allowed), or a name all of
    /// whose addresses are loopback (`localhost`). A name that does not resolve is not loopback.
    package static func isLoopback(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if let literal = literal(bare) { return literal }
        return resolvesToLoopbackOnly(bare)
    }

    /// For an IP literal: whether it is loopback; nil when `text` is not an IP literal.
    package static func literal(_ text: String) -> Bool? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            let bytes = withUnsafeBytes(of: v6) { Array($0) }
            if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }  // ::1
            // ::ffff:127.x.y.z (IPv4-mapped)
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff { return bytes[12] == 127 }
            return false
        }
        return nil
    }

    /// An address in its text form (`inet_ntop`).
    package static func presentation(_ family: Int32, _ address: UnsafeRawPointer) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        return buffer.withUnsafeMutableBufferPointer { out in
            inet_ntop(family, address, out.baseAddress, socklen_t(out.count)).map { String(cString: $0) }
        }
    }

    /// Whether a name resolves, and only to loopback addresses.
    package static func resolvesToLoopbackOnly(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else { return false }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &result) == 0, let first = result else { return false }
        defer { freeaddrinfo(first) }
        var node: UnsafeMutablePointer<addrinfo>? = first
        var any = false
        while let current = node {
            let family = current.pointee.ai_family
            let text: String?
            if family == AF_INET, let address = current.pointee.ai_addr {
                var v4 = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                text = Self.presentation(AF_INET, &v4)
            } else if family == AF_INET6, let address = current.pointee.ai_addr {
                var v6 = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                text = Self.presentation(AF_INET6, &v6)
            } else {
                text = nil
            }
            if let text {
                guard literal(text) == true else { return false }
                any = true
            }
            node = current.pointee.ai_next
        }
        return any
    }
}
