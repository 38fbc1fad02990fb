// Each run measures the process-wide managed heap and starts its own silo and simulator: one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
