import NIOCore

/// The 403 page: `Resources/block.html` with `{{EVENT_ID}}` replaced by the request's event ID.
enum BlockPage {
    private static let placeholder = Array("{{EVENT_ID}}".utf8)

    /// The template split around the placeholder, once.
    private static let parts: ([UInt8], [UInt8]) = {
        let template = PackageResources.block_html
        guard let start = firstIndex(of: placeholder, in: template) else { return (template, []) }
        return (Array(template[..<start]), Array(template[(start + placeholder.count)...]))
    }()

    /// The page for `eventID` (an ID is hex digits only, so it needs no escaping).
    static func render(eventID: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        let (head, tail) = parts
        var buffer = allocator.buffer(capacity: head.count + tail.count + eventID.utf8.count)
        buffer.writeBytes(head)
        buffer.writeString(eventID)
        buffer.writeBytes(tail)
        return buffer
    }

    private static func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }
}
