namespace OrleansExport.Grains.DeadLetters;

[GenerateSerializer]
public sealed class DeadLetterState
{
    [Id(0)] public long Malformed { get; set; }

    [Id(1)] public long OutOfScope { get; set; }

    /// <summary>Oldest first; within <see cref="DeadLetterBudget"/>.</summary>
    [Id(2)] public List<DeadLetter> Recent { get; set; } = [];
}
