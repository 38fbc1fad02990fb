namespace OrleansExport.Silo.Hosting;

/// <summary>A missing or invalid setting: the host stops at start with this message.</summary>
public sealed class InvalidSettingException(string message) : Exception(message);
