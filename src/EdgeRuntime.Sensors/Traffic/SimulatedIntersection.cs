using System.Device.Gpio;
using EdgeRuntime.Sensors.Gpio;

namespace EdgeRuntime.Sensors.Traffic;

/// <summary>
/// Plays a <see cref="TrafficSimulator"/> onto a <see cref="SimulatedGpioDriver"/> in real time: each loop output
/// changes level when the simulated vehicle reaches or leaves the loop, so the production GPIO path (controller,
/// edge callbacks, debounce, aggregates) sees what a real board would.
/// </summary>
public sealed class SimulatedIntersection(SimulatedGpioDriver driver, TrafficSimulator simulator, TimeProvider timeProvider)
{
    /// <summary>Drives the pins until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var start = timeProvider.GetTimestamp();
        while (!cancellationToken.IsCancellationRequested)
        {
            var next = simulator.NextTransitionAt();
            var wait = next - timeProvider.GetElapsedTime(start);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, timeProvider, cancellationToken).ConfigureAwait(false);
            }

            foreach (var transition in simulator.TakeUntil(timeProvider.GetElapsedTime(start)))
            {
                driver.Drive(transition.Pin, transition.High ? PinValue.High : PinValue.Low);
            }
        }
    }
}
