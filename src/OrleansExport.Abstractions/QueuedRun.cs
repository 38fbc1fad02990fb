namespace OrleansExport;

[GenerateSerializer, Immutable]
public sealed record QueuedRun([property: Id(0)] string ExportId, [property: Id(1)] string RunId);
