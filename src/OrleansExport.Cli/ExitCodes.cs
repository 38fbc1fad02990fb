namespace OrleansExport.Cli;

/// <summary>The process exit codes, so that scripts can tell what went wrong.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The API refused the request (a 4xx problem answer); its detail is on stderr.</summary>
    public const int Refused = 1;

    /// <summary>The command line was wrong: unknown command or option, missing value, no key, unreadable file.</summary>
    public const int Usage = 2;

    /// <summary>The API could not be reached, or failed (5xx).</summary>
    public const int Unavailable = 3;

    /// <summary><c>runs start --wait</c>: the run ended partially succeeded, failed or cancelled.</summary>
    public const int RunNotSucceeded = 4;
}
