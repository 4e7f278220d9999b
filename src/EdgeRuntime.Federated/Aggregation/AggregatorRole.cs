namespace EdgeRuntime.Federated.Aggregation;

/// <summary>What an aggregator does with its share of the updates.</summary>
public enum AggregatorRole
{
    /// <summary>Folds its share, combines the members' partial sums with it, makes and publishes the versions. One per model.</summary>
    Lead,

    /// <summary>Folds its share and sends it to the lead as partial sums (through its durable outbox).</summary>
    Member,
}
