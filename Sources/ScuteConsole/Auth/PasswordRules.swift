/// What a password must be, for the API and for SCUTE_ADMIN_PASSWORD alike.
enum PasswordRules {
    static let minimumCharacters = 8
    static let maximumBytes = 200

    /// Why `password` is not acceptable, or nil.
    static func problem(_ password: String) -> String? {
        if password.count < minimumCharacters { return "at least \(minimumCharacters) characters" }
        if password.utf8.count > maximumBytes { return "longer than \(maximumBytes) bytes" }
        return nil
    }
}
