import HTTPTypes

extension HTTPFields {
    /// These fields with those of `other`, which replace fields of the same name.
    func merging(_ other: HTTPFields) -> HTTPFields {
        var fields = self
        for field in other { fields[field.name] = field.value }
        return fields
    }
}
