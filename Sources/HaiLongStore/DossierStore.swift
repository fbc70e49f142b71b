import HaiLongCore

/// Served dossiers from the one-stop system.
public protocol DossierStore: Sendable {
    /// Records a dossier of `agencyID` (updating the one with the same code); returns its id and whether it was new.
    func record(_ dossier: Dossier, agencyID: Int64) async throws -> (id: Int64, created: Bool)
}
