/// A file attached to a violation as evidence: PDF, JPEG or PNG, recognised by its first bytes (never by its name or
/// the type a browser claims), at most `maxBytes`.
public enum EvidenceFile {
    public static let maxBytes = 5 * 1024 * 1024

    /// The file's content type, or `nil` when its bytes are not a PDF, JPEG or PNG.
    public static func contentType(of bytes: some Collection<UInt8>) -> String? {
        let head = Array(bytes.prefix(8))
        if head.starts(with: Array("%PDF-".utf8)) { return "application/pdf" }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        return nil
    }

    /// Checks a file before it is stored; the error names the field `evidence`.
    public static func check(_ bytes: [UInt8]) throws(ValidationError) -> String {
        guard !bytes.isEmpty, bytes.count <= maxBytes else {
            throw ValidationError(field: "evidence", reason: "must be 1 byte to 5 MB (got \(bytes.count / 1024) KB)")
        }
        guard let type = contentType(of: bytes) else {
            throw ValidationError(field: "evidence", reason: "must be a PDF, JPEG or PNG file (checked by its content)")
        }
        return type
    }
}
