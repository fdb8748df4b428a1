/// Check 424's value rules: token formats recognisable on their own, matched on UTF-8 bytes without regular
/// expressions.
enum SecretValuePatterns {
    struct Rule: Equatable {
        let kind: String
        let description: String
    }

    private static let awsKeyPrefixes = ["AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "APKA"]
    private static let githubPrefixes = ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]

    /// The first rule the value matches, if any.
    static func match(_ value: String) -> Rule? {
        let bytes = Array(value.utf8)
        if containsPrivateKeyBlock(value) { return Rule(kind: "private-key", description: "a private key block") }
        for token in tokens(bytes) {
            if let rule = matchToken(token) { return rule }
        }
        if urlHasPassword(value) { return Rule(kind: "url-password", description: "a URL with a password") }
        return nil
    }

    private static func matchToken(_ token: ArraySlice<UInt8>) -> Rule? {
        let text = String(decoding: token, as: UTF8.self)
        if token.count == 20, awsKeyPrefixes.contains(where: text.hasPrefix), token.allSatisfy(isUpperOrDigit) {
            return Rule(kind: "aws-access-key-id", description: "an AWS access key ID")
        }
        if githubPrefixes.contains(where: text.hasPrefix), token.count >= 40, token.dropFirst(4).allSatisfy(isAlphanumeric) {
            return Rule(kind: "github-token", description: "a GitHub token")
        }
        if text.hasPrefix("github_pat_"), token.count >= 60, token.dropFirst(11).allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "_") }) {
            return Rule(kind: "github-token", description: "a GitHub fine-grained token")
        }
        if text.hasPrefix("glpat-"), token.count >= 26, token.dropFirst(6).allSatisfy(isTokenByte) {
            return Rule(kind: "gitlab-token", description: "a GitLab personal access token")
        }
        if text.count >= 15, ["xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-", "xoxe-"].contains(where: text.hasPrefix),
            token.dropFirst(5).allSatisfy(isTokenByte)
        {
            return Rule(kind: "slack-token", description: "a Slack token")
        }
        if text.hasPrefix("https://hooks.slack.com/services/") && token.count > 50 {
            return Rule(kind: "slack-webhook", description: "a Slack webhook URL")
        }
        if ["sk_live_", "sk_test_", "rk_live_", "rk_test_"].contains(where: text.hasPrefix), token.count >= 24,
            token.dropFirst(8).allSatisfy(isAlphanumeric)
        {
            return Rule(kind: "stripe-key", description: "a Stripe secret key")
        }
        if isJWT(token) { return Rule(kind: "jwt", description: "a JSON Web Token") }
        if isAWSSecretKey(token) { return Rule(kind: "aws-secret-access-key", description: "an AWS secret access key") }
        return nil
    }

    /// Splits on bytes that never occur inside the tokens (spaces, quotes, separators of lists).
    private static func tokens(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        bytes.split { byte in
            byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
                || byte == UInt8(ascii: ",") || byte == UInt8(ascii: ";") || byte == UInt8(ascii: "=")
        }
    }

    /// Three base64url parts, the first two JSON objects (`eyJ` is the encoding of `{"`).
    private static func isJWT(_ token: ArraySlice<UInt8>) -> Bool {
        let parts = token.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].starts(with: "eyJ".utf8), parts[1].starts(with: "eyJ".utf8), parts[2].count >= 16 else { return false }
        return parts.allSatisfy { $0.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") } }
    }

    /// 40 characters of base64 with upper and lower case mixed with digits or `+` `/`, not hexadecimal (not a SHA-1 or a fingerprint).
    private static func isAWSSecretKey(_ token: ArraySlice<UInt8>) -> Bool {
        guard token.count == 40 else { return false }
        var upper = 0
        var lower = 0
        var digits = 0
        var symbols = 0
        for byte in token {
            switch byte {
            case 0x41...0x5a: upper += 1
            case 0x61...0x7a: lower += 1
            case 0x30...0x39: digits += 1
            case UInt8(ascii: "+"), UInt8(ascii: "/"): symbols += 1
            default: return false
            }
        }
        return upper >= 3 && lower >= 3 && digits + symbols >= 2 && !isFingerprint(String(decoding: token, as: UTF8.self))
    }

    static func containsPrivateKeyBlock(_ value: String) -> Bool {
        value.contains("-----BEGIN") && value.contains("PRIVATE KEY")
    }

    /// `scheme://user:password@host...` with a non-empty password.
    static func urlHasPassword(_ value: String) -> Bool {
        guard let schemeEnd = value.firstRange(of: "://") else { return false }
        let rest = value[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let at = authority.lastIndex(of: "@") else { return false }
        let userInfo = authority[..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return false }
        let password = userInfo[userInfo.index(after: colon)...]
        return !password.isEmpty && !password.hasPrefix("$")
    }

    /// A PGP key fingerprint: 40 (or 32, 64) hex digits, optionally in groups separated by spaces; several may be listed.
    static func isFingerprint(_ value: String) -> Bool {
        let groups = value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "," })
        guard !groups.isEmpty else { return false }
        let joined = groups.joined()
        guard joined.allSatisfy(\.isHexDigit) else { return false }
        if groups.count == 1 { return [32, 40, 64].contains(joined.count) }
        return joined.count % 8 == 0 && groups.allSatisfy { [4, 8, 16, 32, 40, 64].contains($0.count) }
    }

    private static func isUpperOrDigit(_ byte: UInt8) -> Bool { (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x30 && byte <= 0x39) }
    private static func isAlphanumeric(_ byte: UInt8) -> Bool { isUpperOrDigit(byte) || (byte >= 0x61 && byte <= 0x7a) }
    private static func isTokenByte(_ byte: UInt8) -> Bool { isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") }
}
