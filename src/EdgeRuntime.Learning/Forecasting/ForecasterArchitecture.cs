namespace EdgeRuntime.Learning.Forecasting;

/// <summary>
/// The size of the traffic forecaster's network (<see cref="TrafficForecasterBuilder"/>).
/// </summary>
/// <param name="Hidden">Units of the hidden ReLU layer. Default 64.</param>
/// <param name="Seed">Seed of the initial weights (He-normal for the hidden layer; the output layers start at zero).</param>
public sealed record ForecasterArchitecture(int Hidden = 64, int Seed = 1)
{
    /// <summary>What is wrong with it, or null.</summary>
    public string? Check() => Hidden is < 1 or > 4096 ? $"hidden width {Hidden} is outside 1..4096" : null;
}
