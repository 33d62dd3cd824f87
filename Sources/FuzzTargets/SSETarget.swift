import ConnectorKit

/// `SSEParser` fed the input in chunks cut where the input says (``ChunkSplits``), once through
/// the owned path (`feed`) and once through the borrowing one (`feedBorrowing`, each view read
/// while it is valid), against ``SSEReference`` on the whole stream: the same events, ids, last
/// event ID and reconnection time at any split.
enum SSETarget {
    static func run(_ input: [UInt8]) throws(FuzzFinding) {
        let splits = ChunkSplits(input)
        let reference = SSEReference(stream: splits.payload)
        let expected = reference.events.map { SSEReference.Event(type: $0.type, data: $0.data, id: $0.id) }

        var owned = SSEParser()
        var ownedEvents: [SSEReference.Event] = []
        var borrowing = SSEParser()
        var borrowedEvents: [SSEReference.Event] = []
        for chunk in splits.chunks {
            // Each chunk in its own allocation, so reading past it is an overrun AddressSanitizer sees.
            let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk.count, alignment: 1)
            copy.copyBytes(from: chunk)
            owned.feed(UnsafeRawBufferPointer(copy)) { event in
                ownedEvents.append(SSEReference.Event(type: event.type, data: event.data, id: event.id))
            }
            borrowing.feedBorrowing(UnsafeRawBufferPointer(copy)) { view in
                borrowedEvents.append(SSEReference.Event(type: view.type, data: String(decoding: view.dataBytes, as: UTF8.self), id: view.id))
            }
            copy.deallocate()
        }
        owned.finish()
        borrowing.finish()
        for (path, events, parser) in [("owned", ownedEvents, owned), ("borrowing", borrowedEvents, borrowing)] {
            if events != expected {
                let at = zip(events, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(events.count, expected.count)
                throw FuzzFinding(.sse, "\(path) path: event \(at) differs from the spec's reading of \(JSONTargets.quote(splits.payload)) cut into \(splits.chunks.map(\.count)): "
                                  + "\(at < events.count ? "\(events[at])" : "none") vs \(at < expected.count ? "\(expected[at])" : "none")")
            }
            if parser.lastEventID != reference.lastEventID {
                throw FuzzFinding(.sse, "\(path) path: last event ID \(String(reflecting: parser.lastEventID)) vs \(String(reflecting: reference.lastEventID)) for \(JSONTargets.quote(splits.payload))")
            }
            if parser.reconnectionTime != reference.reconnectionTime {
                throw FuzzFinding(.sse, "\(path) path: retry \(parser.reconnectionTime.map(String.init) ?? "none") vs \(reference.reconnectionTime.map(String.init) ?? "none") for \(JSONTargets.quote(splits.payload))")
            }
        }
    }
}
