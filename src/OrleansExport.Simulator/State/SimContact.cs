namespace OrleansExport.Simulator;

/// <summary>A contact as seen on one list of the simulated account.</summary>
/// <param name="Id">The contact id, as the API returns it.</param>
/// <param name="Email">The email, as first received.</param>
/// <param name="FirstName">First name, or null if never set.</param>
/// <param name="LastName">Last name, or null if never set.</param>
/// <param name="Phone">Phone, or null if never set.</param>
/// <param name="Status">Status on the list: 0 unconfirmed, 1 active (subscribed), 2 unsubscribed, 3 bounced.</param>
/// <param name="Fields">Custom field values by field id.</param>
/// <param name="Tags">Tags, in the order first received.</param>
public sealed record SimContact(
    string Id,
    string Email,
    string? FirstName,
    string? LastName,
    string? Phone,
    int Status,
    IReadOnlyDictionary<string, string> Fields,
    IReadOnlyList<string> Tags);
