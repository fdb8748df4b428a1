import ScuteTask
import Testing

@Suite("Container output split into lines")
struct LineBufferTests {
    @Test func splitsAcrossReadsAndKeepsTheUnterminatedEnd() {
        var buffer = LineBuffer()
        #expect(buffer.append(Array("one\ntw".utf8)) == [Array("one".utf8)])
        #expect(buffer.append(Array("o\n\nthree".utf8)) == [Array("two".utf8), []])
        #expect(buffer.finish() == Array("three".utf8))
        #expect(buffer.finish() == nil)
    }

    @Test func cutsOverlongLines() {
        var buffer = LineBuffer(limit: 4)
        #expect(buffer.append(Array("abcdefghij\n".utf8)) == [Array("abcd".utf8), Array("efgh".utf8), Array("ij".utf8)])
    }
}
