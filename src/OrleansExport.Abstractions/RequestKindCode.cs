namespace OrleansExport;

/// <summary>Mirror of the client's request kinds, so grain interfaces need no HTTP library.</summary>
public enum RequestKindCode
{
    Other,
    BulkImportMulti,
    BulkImportSingle,
}
