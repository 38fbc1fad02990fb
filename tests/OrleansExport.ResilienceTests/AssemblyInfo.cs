// Each collection starts its own silo and some measure time: one at a time on a 2-core machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
