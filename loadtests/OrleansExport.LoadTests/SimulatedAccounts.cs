using OrleansExport.Simulator;

namespace OrleansExport.LoadTests;

/// <summary>
/// With <see cref="LoadTestOptions.Accounts"/> above 1: the further ActiveCampaign accounts, each a simulator of its own (its
/// own address, contacts and limits) with a connection of its own, so that every export is limited by its own account only.
/// </summary>
public sealed class SimulatedAccounts : IAsyncDisposable
{
    private SimulatedAccounts(IReadOnlyList<SimulatedAccount> others) => Others = others;

    /// <summary>Accounts 2..K (account 1 is the run's main simulator).</summary>
    public IReadOnlyList<SimulatedAccount> Others { get; }

    public static async Task<SimulatedAccounts> StartAsync(int accounts, SimulatorOptions options, string connectionIdPrefix, CancellationToken cancellationToken)
    {
        var others = new List<SimulatedAccount>();
        try
        {
            for (var account = 2; account <= accounts; account++)
            {
                others.Add(new SimulatedAccount(account, await ActiveCampaignSimulator.StartAsync(options, ct: cancellationToken), $"{connectionIdPrefix}-a{account}"));
            }
        }
        catch
        {
            await new SimulatedAccounts(others).DisposeAsync();
            throw;
        }

        return new SimulatedAccounts(others);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var account in Others)
        {
            await account.Simulator.DisposeAsync();
        }
    }
}

/// <param name="Number">1..K; account 1 is the run's main simulator.</param>
public sealed record SimulatedAccount(int Number, ActiveCampaignSimulator Simulator, string ConnectionId);
