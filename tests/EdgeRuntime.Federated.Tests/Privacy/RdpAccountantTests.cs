using EdgeRuntime.Federated.Privacy;

namespace EdgeRuntime.Federated.Tests.Privacy;

public sealed class RdpAccountantTests
{
    [Fact]
    public void Epsilon_NoRelease_IsZero() => Assert.Equal(0, RdpAccountant.Empty.Epsilon(1e-5));

    [Fact]
    public void Epsilon_OneGaussianRelease_IsBelowTheClassicConversion()
    {
        // Gaussian mechanism with z = 1: RDP(α) = α/2. Classic conversion (Mironov 2017): ε = min_α α/2 + log(1/δ)/(α−1);
        // the accountant uses the tighter one of Balle et al. 2020, so it must be lower but of the same order.
        var accountant = RdpAccountant.Empty.AddGaussianRelease(1.0);
        var classic = RdpAccountant.Orders.Min(a => (a / 2) + (Math.Log(1e5) / (a - 1)));

        var epsilon = accountant.Epsilon(1e-5);

        Assert.InRange(epsilon, 0.8 * classic, classic);
    }

    [Fact]
    public void Epsilon_MoreReleasesOrLessNoise_Grows()
    {
        var one = RdpAccountant.Empty.AddGaussianRelease(1.0);
        var ten = Enumerable.Range(0, 10).Aggregate(RdpAccountant.Empty, (a, _) => a.AddGaussianRelease(1.0));
        var quiet = RdpAccountant.Empty.AddGaussianRelease(4.0);

        Assert.True(ten.Epsilon(1e-5) > one.Epsilon(1e-5));
        Assert.True(ten.Epsilon(1e-5) < 10 * one.Epsilon(1e-5), "RDP composition is sublinear");
        Assert.True(quiet.Epsilon(1e-5) < one.Epsilon(1e-5));
        Assert.Equal(10, ten.Releases);
    }

    [Fact]
    public void Restore_SavedState_GivesTheSameEpsilon()
    {
        var accountant = RdpAccountant.Empty.AddGaussianRelease(1.1).AddGaussianRelease(1.1);

        var restored = RdpAccountant.Restore(accountant.Rdp, accountant.Releases);

        Assert.Equal(accountant.Epsilon(1e-5), restored.Epsilon(1e-5));
    }
}
