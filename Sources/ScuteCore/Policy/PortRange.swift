/// An inclusive range of TCP/UDP ports, written `{"start": 6660, "end": 6669}` or as a single number.
public struct PortRange: Sendable, Equatable, Hashable {
    public let start: Int
    public let end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    public init(_ port: Int) { self.init(start: port, end: port) }

    public func contains(_ port: Int) -> Bool { port >= start && port <= end }
}
