using System.Device.Gpio;

namespace EdgeRuntime.Sensors.Gpio;

/// <summary>
/// A GPIO chip in memory that behaves like a real one behind <see cref="GpioController"/>: pins must be opened
/// before use, inputs change only when the outside world drives them (<see cref="Drive"/>), and every change raises
/// the rising or falling edge callbacks registered for that pin, synchronously on the caller's thread, as the libgpiod
/// driver raises them on its event thread. Used where no board is attached: the traffic simulator drives the pins.
/// Thread-safe.
/// </summary>
public sealed class SimulatedGpioDriver : GpioDriver
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, SimulatedPin> _pins = [];

    /// <summary>Creates a chip with <paramref name="pinCount"/> pins, numbered from 0.</summary>
    public SimulatedGpioDriver(int pinCount = 64)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pinCount);
        PinCount = pinCount;
    }

    /// <inheritdoc />
    protected override int PinCount { get; }

    /// <summary>Edges raised so far, on all pins (for diagnostics and tests).</summary>
    public long EdgesRaised => Interlocked.Read(ref _edgesRaised);

    private long _edgesRaised;

    /// <summary>
    /// Sets the level the outside world puts on an input pin (a loop detector card's output). Raises the edge
    /// callbacks when the level changes; a pin nobody opened keeps the level for when it is opened.
    /// </summary>
    public void Drive(int pinNumber, PinValue value)
    {
        PinChangeEventHandler[] handlers;
        PinEventTypes edge;
        lock (_gate)
        {
            var pin = PinFor(pinNumber);
            if (pin.Value == value)
            {
                return;
            }

            pin.Value = value;
            edge = value == PinValue.High ? PinEventTypes.Rising : PinEventTypes.Falling;
            handlers = [.. pin.Callbacks.Where(c => (c.Events & edge) != 0).Select(c => c.Handler)];
            if (!pin.IsOpen)
            {
                return;
            }
        }

        Interlocked.Increment(ref _edgesRaised);
        var args = new PinValueChangedEventArgs(edge, pinNumber);
        foreach (var handler in handlers)
        {
            handler(this, args);
        }
    }

    /// <inheritdoc />
    protected override void OpenPin(int pinNumber)
    {
        lock (_gate)
        {
            PinFor(pinNumber).IsOpen = true;
        }
    }

    /// <inheritdoc />
    protected override void ClosePin(int pinNumber)
    {
        lock (_gate)
        {
            var pin = PinFor(pinNumber);
            pin.IsOpen = false;
            pin.Callbacks.Clear();
        }
    }

    /// <inheritdoc />
    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        lock (_gate)
        {
            OpenedPin(pinNumber).Mode = mode;
        }
    }

    /// <inheritdoc />
    protected override PinMode GetPinMode(int pinNumber)
    {
        lock (_gate)
        {
            return OpenedPin(pinNumber).Mode;
        }
    }

    /// <inheritdoc />
    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) =>
        mode is PinMode.Input or PinMode.InputPullDown or PinMode.InputPullUp or PinMode.Output;

    /// <inheritdoc />
    protected override PinValue Read(int pinNumber)
    {
        lock (_gate)
        {
            return OpenedPin(pinNumber).Value;
        }
    }

    /// <inheritdoc />
    protected override void Write(int pinNumber, PinValue value)
    {
        lock (_gate)
        {
            var pin = OpenedPin(pinNumber);
            if (pin.Mode != PinMode.Output)
            {
                throw new InvalidOperationException($"GPIO pin {pinNumber} is an input; only outputs can be written");
            }
        }

        Drive(pinNumber, value);
    }

    /// <inheritdoc />
    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken)
    {
        using var signal = new ManualResetEventSlim();
        var seen = PinEventTypes.None;
        void OnEdge(object sender, PinValueChangedEventArgs e)
        {
            seen = e.ChangeType;
            signal.Set();
        }

        AddCallbackForPinValueChangedEvent(pinNumber, eventTypes, OnEdge);
        try
        {
            signal.Wait(cancellationToken);
            return new WaitForEventResult { EventTypes = seen, TimedOut = false };
        }
        catch (OperationCanceledException)
        {
            return new WaitForEventResult { EventTypes = PinEventTypes.None, TimedOut = true };
        }
        finally
        {
            RemoveCallbackForPinValueChangedEvent(pinNumber, OnEdge);
        }
    }

    /// <inheritdoc />
    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            OpenedPin(pinNumber).Callbacks.Add((eventTypes, callback));
        }
    }

    /// <inheritdoc />
    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            OpenedPin(pinNumber).Callbacks.RemoveAll(c => c.Handler == callback);
        }
    }

    private SimulatedPin PinFor(int pinNumber)
    {
        if (pinNumber < 0 || pinNumber >= PinCount)
        {
            throw new ArgumentOutOfRangeException(nameof(pinNumber), pinNumber, $"the simulated chip has pins 0..{PinCount - 1}");
        }

        if (!_pins.TryGetValue(pinNumber, out var pin))
        {
            pin = new SimulatedPin();
            _pins[pinNumber] = pin;
        }

        return pin;
    }

    private SimulatedPin OpenedPin(int pinNumber)
    {
        var pin = PinFor(pinNumber);
        return pin.IsOpen ? pin : throw new InvalidOperationException($"GPIO pin {pinNumber} is not open");
    }

    private sealed class SimulatedPin
    {
        public bool IsOpen { get; set; }

        public PinMode Mode { get; set; } = PinMode.Input;

        public PinValue Value { get; set; } = PinValue.Low;

        public List<(PinEventTypes Events, PinChangeEventHandler Handler)> Callbacks { get; } = [];
    }
}
