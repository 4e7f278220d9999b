namespace EdgeRuntime.Federated.Aggregation;

/// <summary>When the aggregator makes a new global version.</summary>
public enum AggregationMode
{
    /// <summary>
    /// Synchronous rounds (FedAvg, McMahan et al. 2017): a round is one version; it closes when
    /// <see cref="AggregationOptions.ExpectedParticipants"/> updates of that version arrived, or at the deadline once the
    /// quorum has. Updates of older versions expire (by <see cref="AggregationOptions.MaxStaleness"/>, 0 by default here).
    /// </summary>
    FedAvg,

    /// <summary>
    /// Buffered asynchronous aggregation (FedBuff, Nguyen et al. 2022): every <see cref="AggregationOptions.BufferSize"/>
    /// updates, whatever version each started from, make a version; stale ones weigh less (<see cref="StalenessFunction"/>).
    /// </summary>
    FedBuff,
}
