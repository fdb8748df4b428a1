/// A Python package version under PEP 440, ordered as `packaging.version.Version` orders it.
///
/// Accepts every spelling PEP 440 normalises (case, a leading `v`, `-`/`_`/`.` separators, `alpha`/`beta`/`c`/
/// `pre`/`preview`/`rev`/`r`, implicit numbers, `1.0-1` as a post release, surrounding spaces). Anything else
/// (legacy versions such as `2004d`) is invalid.
struct PEP440Version: EcosystemVersion {
    /// The pre-release phase; `c`, `pre` and `preview` are `rc`.
    enum Phase: Int, Comparable, Sendable {
        case alpha, beta, candidate
        static func < (lhs: Phase, rhs: Phase) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// One part of a local version label: numbers sort after strings, numbers by value.
    enum LocalPart: Comparable, Sendable {
        case text([UInt8])
        case number(DecimalNumber)

        static func < (lhs: LocalPart, rhs: LocalPart) -> Bool {
            switch (lhs, rhs) {
            case (.text(let a), .text(let b)): ASCII.compareBytes(a[...], b[...]) < 0
            case (.number(let a), .number(let b)): a < b
            case (.text, .number): true
            case (.number, .text): false
            }
        }
    }

    let epoch: DecimalNumber
    /// The release numbers without trailing zeros (`1.0.0` orders as `1`).
    let release: [DecimalNumber]
    let pre: (phase: Phase, number: DecimalNumber)?
    let post: DecimalNumber?
    let dev: DecimalNumber?
    let local: [LocalPart]?

    init?(_ text: String) {
        var parser = Parser(bytes: ASCII.trimmedBytes(text).map(ASCII.lowercased))
        guard let version = parser.parse() else { return nil }
        self = version
    }

    init(
        epoch: DecimalNumber,
        release: [DecimalNumber],
        pre: (phase: Phase, number: DecimalNumber)?,
        post: DecimalNumber?,
        dev: DecimalNumber?,
        local: [LocalPart]?
    ) {
        var release = release
        while release.count > 1, release.last?.isZero == true { release.removeLast() }
        self.epoch = epoch
        self.release = release
        self.pre = pre
        self.post = post
        self.dev = dev
        self.local = local
    }

    static func < (lhs: PEP440Version, rhs: PEP440Version) -> Bool { compare(lhs, rhs) < 0 }

    static func == (lhs: PEP440Version, rhs: PEP440Version) -> Bool { compare(lhs, rhs) == 0 }

    private static func order<T: Comparable>(_ a: T, _ b: T) -> Int { a < b ? -1 : (b < a ? 1 : 0) }

    static func compare(_ lhs: PEP440Version, _ rhs: PEP440Version) -> Int {
        var result = order(lhs.epoch, rhs.epoch)
        if result != 0 { return result }
        for index in 0..<max(lhs.release.count, rhs.release.count) {
            let a = index < lhs.release.count ? lhs.release[index] : .zero
            let b = index < rhs.release.count ? rhs.release[index] : .zero
            result = order(a, b)
            if result != 0 { return result }
        }
        result = order(lhs.preKey, rhs.preKey)
        if result != 0 { return result }
        // A missing post release sorts before any post release, a missing dev release after any dev release.
        result = order(lhs.post.map { [$0] } ?? [], rhs.post.map { [$0] } ?? [], missingFirst: true)
        if result != 0 { return result }
        result = order(lhs.dev.map { [$0] } ?? [], rhs.dev.map { [$0] } ?? [], missingFirst: false)
        if result != 0 { return result }
        switch (lhs.local, rhs.local) {
        case (nil, nil): return 0
        case (nil, _): return -1
        case (_, nil): return 1
        case (let a?, let b?): return a.lexicographicallyPrecedes(b) ? -1 : (b.lexicographicallyPrecedes(a) ? 1 : 0)
        }
    }

    private static func order(_ a: [DecimalNumber], _ b: [DecimalNumber], missingFirst: Bool) -> Int {
        switch (a.first, b.first) {
        case (nil, nil): 0
        case (nil, _): missingFirst ? -1 : 1
        case (_, nil): missingFirst ? 1 : -1
        case (let x?, let y?): order(x, y)
        }
    }

    /// The pre-release sort key: a dev release of the final version sorts before its alphas, no pre-release
    /// after every pre-release.
    private var preKey: PreKey {
        if let pre { return .pre(pre.phase, pre.number) }
        if post == nil && dev != nil { return .beforeAll }
        return .afterAll
    }

    private enum PreKey: Comparable {
        case beforeAll
        case pre(Phase, DecimalNumber)
        case afterAll
    }
}
