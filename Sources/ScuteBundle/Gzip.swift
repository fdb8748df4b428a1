import CScuteZlib

/// gzip through the system zlib. The output has no file name and a zero timestamp, so the same input
/// always gives the same bytes.
public enum Gzip {
    /// Compresses bytes into a gzip member.
    public static func compress(_ input: [UInt8], level: Int32 = 9) throws(BundleError) -> [UInt8] {
        var stream = z_stream()
        guard scute_deflate_init_gzip(&stream, level) == Z_OK else { throw .io("zlib: deflateInit2 failed") }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 64)
        var input = input
        let status: Int32 = input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                stream.next_in = inBuf.baseAddress
                stream.avail_in = uInt(inBuf.count)
                stream.next_out = outBuf.baseAddress
                stream.avail_out = uInt(outBuf.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw .io("zlib: deflate failed (\(status))") }
        return Array(output[0..<Int(stream.total_out)])
    }

    /// Decompresses gzip (or zlib) data.
    public static func decompress(_ input: [UInt8]) throws(BundleError) -> [UInt8] {
        guard input.count >= 18, input[0] == 0x1F, input[1] == 0x8B else { throw .corrupt("not gzip data") }
        var stream = z_stream()
        guard scute_inflate_init_gzip(&stream) == Z_OK else { throw .io("zlib: inflateInit2 failed") }
        defer { inflateEnd(&stream) }
        var input = input
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var status: Int32 = Z_OK
        input.withUnsafeMutableBufferPointer { inBuf in
            stream.next_in = inBuf.baseAddress
            stream.avail_in = uInt(inBuf.count)
            repeat {
                let produced: Int = chunk.withUnsafeMutableBufferPointer { outBuf in
                    stream.next_out = outBuf.baseAddress
                    stream.avail_out = uInt(outBuf.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return outBuf.count - Int(stream.avail_out)
                }
                output += chunk[0..<produced]
            } while status == Z_OK
        }
        guard status == Z_STREAM_END else { throw .corrupt("gzip data is truncated or corrupt (zlib status \(status))") }
        return output
    }
}
