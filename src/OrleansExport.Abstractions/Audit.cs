namespace OrleansExport;

public enum AuditAction
{
    Created,
    Updated,
    Paused,
    Resumed,
    Deleted,
    RunStarted,
    RunCancelled,
    /// <summary>Someone released the unsubscribes the mass-unsubscribe guard held.</summary>
    UnsubscribesReleased,
}

public enum AuditSubject
{
    Connection,
    Export,
}

/// <summary>
/// One entry of the audit trail: who did what to which connection or export, and when. The shape of an export's
/// <see cref="DefinitionChange"/>, with what it was done to.
/// </summary>
/// <param name="Fields">For <see cref="AuditAction.Updated"/>: the names (as in the API) of the fields that changed, never their values.</param>
/// <param name="RunId">For <see cref="AuditAction.RunStarted"/> and <see cref="AuditAction.RunCancelled"/>: which run.</param>
[GenerateSerializer, Immutable]
public sealed record AuditEntry(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string By,
    [property: Id(2)] AuditAction Action,
    [property: Id(3)] AuditSubject Subject,
    [property: Id(4)] string SubjectId,
    [property: Id(5)] IReadOnlyList<string> Fields,
    [property: Id(6)] string? RunId = null);
