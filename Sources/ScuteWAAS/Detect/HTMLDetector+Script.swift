extension HTMLDetector {
    // MARK: URLs and styles

    /// The value with whitespace and control characters removed (browsers ignore them inside schemes).
    static func compact(_ value: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(min(value.count, 64))
        for byte in value where byte > 0x20 {
            output.append(byte)
            if output.count >= 64 { break }
        }
        return output
    }

    static func dangerousURL(_ value: ArraySlice<UInt8>) -> Bool {
        let compacted = compact(value)
        for scheme in ["javascript:", "vbscript:", "livescript:", "data:text/html", "data:image/svg", "data:application", "data:,"]
        where compacted.starts(with: scheme.utf8) {
            return true
        }
        return false
    }

    static func dangerousStyle(_ value: ArraySlice<UInt8>) -> Bool {
        let compacted = Array(value.filter { $0 > 0x20 && $0 != UInt8(ascii: "\\") })
        return compacted.firstIndex(ofLowercase: "expression(") != nil || compacted.firstIndex(ofLowercase: "javascript:") != nil
            || compacted.firstIndex(ofLowercase: "-moz-binding") != nil || compacted.firstIndex(ofLowercase: "behavior:") != nil
            || compacted.firstIndex(ofLowercase: "@import") != nil
    }

    /// `url(javascript:...)`, `expression(...)`: script inside CSS, wherever the CSS came from.
    static func cssScript(_ text: [UInt8]) -> Hit? {
        var from = 0
        while let found = text.firstIndex(ofLowercase: "url(", from: from) {
            from = found + 4
            let compacted = compact(text[from..<min(from + 40, text.count)]).filter { $0 != UInt8(ascii: "'") && $0 != UInt8(ascii: "\"") }
            if compacted.starts(with: "javascript".utf8) || compacted.starts(with: "vbscript".utf8) {
                return Hit(rule: .xssStyle, start: found, end: min(found + 24, text.count))
            }
        }
        if let found = text.firstIndex(ofLowercase: "expression(") {
            return Hit(rule: .xssStyle, start: found, end: min(found + 24, text.count))
        }
        return nil
    }

    /// `javascript:...` outside a tag: at the start of a value, after `=`/`(`/a quote, or obfuscated with whitespace.
    static func scriptURL(_ text: [UInt8]) -> Hit? {
        var from = 0
        while let colon = text[from...].firstIndex(of: UInt8(ascii: ":")) {
            from = colon + 1
            // Collect the scheme backwards, skipping whitespace and control characters.
            var letters: [UInt8] = []
            var cursor = colon - 1
            var gaps = false
            while cursor >= 0 && letters.count < 10 {
                let byte = text[cursor]
                if ByteClass.isLetter(byte) {
                    letters.append(byte)
                } else if byte <= 0x20 {
                    if !letters.isEmpty { gaps = true }
                } else {
                    break
                }
                cursor -= 1
            }
            letters.reverse()
            guard
                letters.elementsEqual("javascript".utf8) || letters.suffix(8).elementsEqual("vbscript".utf8)
                    || letters.elementsEqual("livescript".utf8)
            else { continue }
            let start = cursor + 1
            if gaps { return Hit(rule: .xssScriptURL, start: start, end: colon + 1) }
            let before = cursor >= 0 ? text[cursor] : UInt8(ascii: " ")
            guard
                cursor < 0
                    || [UInt8(ascii: "="), UInt8(ascii: "("), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "`"), UInt8(ascii: " ")].contains(
                        before
                    )
            else { continue }
            guard colon + 1 < text.count else { continue }
            let after = text[colon + 1]
            if !ByteClass.isSpace(after) { return Hit(rule: .xssScriptURL, start: start, end: min(colon + 12, text.count)) }
            var next = colon + 1
            while next < text.count && ByteClass.isSpace(text[next]) { next += 1 }
            if next < text.count, ByteClass.oneOf(text[next], "(/\\%'\"[{!~+-`") {
                return Hit(rule: .xssScriptURL, start: start, end: min(next + 8, text.count))
            }
        }
        return nil
    }

    /// ` onload=` outside a tag: an attribute injected into an existing one.
    static func bareEventHandler(_ text: [UInt8]) -> Hit? {
        var index = 1
        while index + 4 < text.count {
            defer { index += 1 }
            guard text[index] == UInt8(ascii: "o"), text[index + 1] == UInt8(ascii: "n") else { continue }
            let before = text[index - 1]
            guard ByteClass.isSpace(before) || ByteClass.oneOf(before, "\"'`;,(") else { continue }
            var cursor = index + 2
            while cursor < text.count && ByteClass.isLetter(text[cursor]) && cursor - index < 28 { cursor += 1 }
            guard cursor - index - 2 >= 3 else { continue }
            while cursor < text.count && ByteClass.isSpace(text[cursor]) { cursor += 1 }
            guard cursor < text.count, text[cursor] == UInt8(ascii: "=") else { continue }
            if cursor + 1 < text.count, text[cursor + 1] == UInt8(ascii: "=") { continue }
            // `const onResize = ...` is JavaScript source, not an attribute.
            var wordStart = index - 1
            while wordStart >= 0 && ByteClass.isSpace(text[wordStart]) { wordStart -= 1 }
            if wordStart >= 0, text[wordStart] == UInt8(ascii: ".") { continue }
            let previousWord = text[max(0, wordStart - 5)...max(0, wordStart)]
            if ["const", "let", "var", "this"].contains(where: { previousWord.hasSuffixBytes($0) }) { continue }
            let name = text[(index + 2)..<(index + 2 + nameLength(text, from: index + 2))]
            let quoted = ByteClass.oneOf(before, "\"'`") || (wordStart >= 0 && ByteClass.oneOf(text[wordStart], "\"'`"))
            guard quoted || domEvents.contains(Array(name)) else { continue }
            return Hit(rule: .xssEventHandler, start: index, end: min(cursor + 10, text.count))
        }
        return nil
    }

    static func nameLength(_ text: [UInt8], from start: Int) -> Int {
        var end = start
        while end < text.count && ByteClass.isLetter(text[end]) { end += 1 }
        return end - start
    }

    /// Event names browsers fire (without the `on`), for handlers injected outside a tag.
    static let domEvents: Set<[UInt8]> = Set(
        ("abort afterprint animationend animationiteration animationstart auxclick beforeinput beforeprint beforeunload begin blur "
            + "bounce canplay canplaythrough change click close contextmenu copy cuechange cut dblclick drag dragend dragenter "
            + "dragleave dragover dragstart drop durationchange emptied end ended error finish focus focusin focusout formdata "
            + "fullscreenchange hashchange input invalid keydown keypress keyup load loadeddata loadedmetadata loadstart message "
            + "mousedown mouseenter mouseleave mousemove mouseout mouseover mouseup mousewheel offline online pagehide pageshow "
            + "paste pause play playing pointercancel pointerdown pointerenter pointerleave pointermove pointerout pointerover "
            + "pointerup popstate progress ratechange readystatechange repeat reset resize scroll scrollend search securitypolicyviolation "
            + "seeked seeking select selectionchange selectstart show slotchange stalled start storage submit suspend timeupdate "
            + "toggle touchcancel touchend touchmove touchstart transitioncancel transitionend transitionrun transitionstart "
            + "unload volumechange waiting wheel beforecopy beforecut beforepaste activate beforeactivate filterchange help "
            + "losecapture propertychange zoom").split(separator: " ").map { Array($0.utf8) }
    )

    // MARK: Script obfuscation

    static func obfuscation(_ text: [UInt8]) -> Hit? {
        // JSFuck: long runs of []()!+ only.
        var run = 0
        var runStart = 0
        for (index, byte) in text.enumerated() {
            if ByteClass.oneOf(byte, "[]()!+ ") {
                if run == 0 { runStart = index }
                run += 1
                if run >= 10,
                    Array(text[runStart...index]).firstIndex(ofLowercase: "![]") != nil
                        || Array(text[runStart...index]).firstIndex(ofLowercase: "+[]") != nil
                {
                    return Hit(rule: .xssObfuscation, start: runStart, end: index + 1)
                }
            } else {
                run = 0
            }
        }
        // Global object lookups by string: self["alert"], top['ev'+'al'].
        for global in globals {
            var from = 0
            while let found = text.firstIndex(ofBytes: global, from: from) {
                from = found + 1
                if found > 0, ByteClass.isWord(text[found - 1]) || text[found - 1] == UInt8(ascii: ".") { continue }
                var cursor = found + global.count
                cursor = skipSpaceAndComments(text, cursor)
                guard cursor < text.count, text[cursor] == UInt8(ascii: "[") else { continue }
                cursor = skipSpaceAndComments(text, cursor + 1)
                if cursor < text.count, [UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "`")].contains(text[cursor]) {
                    return Hit(rule: .xssObfuscation, start: found, end: min(cursor + 8, text.count))
                }
            }
        }
        // Tagged template call with interpolation: [].sort.call`${alert}1`.
        var from = 0
        while let tick = text[from...].firstIndex(of: UInt8(ascii: "`")) {
            from = tick + 1
            var before = tick - 1
            while before >= 0 && ByteClass.isSpace(text[before]) { before -= 1 }
            guard before >= 0, ByteClass.isWord(text[before]) || text[before] == UInt8(ascii: "]") || text[before] == UInt8(ascii: ")") else {
                continue
            }
            guard let close = text[(tick + 1)...].firstIndex(of: UInt8(ascii: "`")) else { break }
            if text[(tick + 1)..<close].firstIndex(of: UInt8(ascii: "$")) != nil, text[(tick + 1)..<close].contains(UInt8(ascii: "{")) {
                return Hit(rule: .xssObfuscation, start: max(before - 8, 0), end: close + 1)
            }
            from = close + 1
        }
        return nil
    }

    static let globals: [[UInt8]] = ["self", "top", "window", "this", "globalthis", "parent", "frames", "content"].map { Array($0.utf8) }

    static func skipSpaceAndComments(_ text: [UInt8], _ start: Int) -> Int {
        var cursor = start
        while cursor < text.count {
            if ByteClass.isSpace(text[cursor]) {
                cursor += 1
            } else if text[cursor] == UInt8(ascii: "/"), cursor + 1 < text.count, text[cursor + 1] == UInt8(ascii: "*") {
                var end = cursor + 2
                while end + 1 < text.count && !(text[end] == UInt8(ascii: "*") && text[end + 1] == UInt8(ascii: "/")) { end += 1 }
                cursor = end + 2
            } else {
                break
            }
        }
        return cursor
    }
}
