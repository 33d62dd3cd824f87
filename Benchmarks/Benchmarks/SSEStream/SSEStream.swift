/// The event stream the SSE benchmarks parse, shared by the package-benchmark target
/// (`SSEBenchmarks`) and the interleaved ratio run (`SSEParse`).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The floor any line-based parser pays: the number of LFs in `stream`, found with `memchr`.
public func newlineScan(_ stream: [UInt8]) -> Int {
    var lines = 0
    stream.withUnsafeBytes { all in
        var pointer = all.baseAddress!
        let end = all.baseAddress! + all.count
        while let found = memchr(pointer, 0x0A, end - pointer) {
            lines += 1
            pointer = UnsafeRawPointer(found) + 1
        }
    }
    return lines
}

/// 100 MB of typical Enhanced Messaging stream traffic: message events with JSON payloads,
/// typing indicators and keep-alive pings, as the server sends them.
public func makeStream(megabytes: Int) -> [UInt8] {
    var stream: [UInt8] = []
    stream.reserveCapacity(megabytes << 20)
    var id = 1000
    while stream.count < megabytes << 20 {
        id += 1
        let text = String(repeating: "Thanks for waiting, I am looking at your laptop ticket now. ", count: 1 + id % 5)
        let event = """
            id: \(id)
            event: CONVERSATION_MESSAGE
            data: {"channelPlatformKey":"v2/iamessage/AUTH/Switchboard/uid:user-\(id % 977)","conversationId":"4f1c0b7e-5a8e-4d3b-9a51-\(id)","conversationEntry":{"entryType":"Message","identifier":"e-\(id)","sender":{"role":"Agent","appType":"chat"},"senderDisplayName":"Alex","entryPayload":{"abstractMessage":{"staticContent":{"formatType":"Text","text":"\(text)"}}},"transcriptedTimestamp":\(1_767_225_600_000 + id)}}

            id: \(id).1
            event: CONVERSATION_TYPING_STOPPED_INDICATOR
            data: {"conversationId":"4f1c0b7e-5a8e-4d3b-9a51-\(id)","senderRole":"Agent"}

            :ping

            """
        stream += Array(event.utf8)
    }
    return stream
}

/// Hands `stream` to `body` in chunks of `size` bytes, as a network read would.
public func inChunks(_ stream: [UInt8], of size: Int, _ body: (UnsafeRawBufferPointer) -> Void) {
    stream.withUnsafeBytes { all in
        var offset = 0
        while offset < all.count {
            body(UnsafeRawBufferPointer(rebasing: all[offset..<min(offset + size, all.count)]))
            offset += size
        }
    }
}
