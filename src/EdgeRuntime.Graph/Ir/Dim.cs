using System.Globalization;

namespace EdgeRuntime.Graph.Ir;

/// <summary>One dimension of a shape: a known size, a named symbol ("batch"), or unknown.</summary>
public readonly record struct Dim
{
    private Dim(long? value, string? symbol)
    {
        Value = value;
        Symbol = symbol;
    }

    /// <summary>The size, when known.</summary>
    public long? Value { get; }

    /// <summary>The symbol, when the size is a named free dimension.</summary>
    public string? Symbol { get; }

    /// <summary>Whether the size is known.</summary>
    public bool IsKnown => Value.HasValue;

    /// <summary>A dimension of unknown size and no name.</summary>
    public static Dim Unknown => default;

    /// <summary>A known size.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative sizes do not exist.</exception>
    public static Dim Known(long value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        return new Dim(value, null);
    }

    /// <summary>A named free dimension.</summary>
    public static Dim Symbolic(string symbol)
    {
        ArgumentException.ThrowIfNullOrEmpty(symbol);
        return new Dim(null, symbol);
    }

    public static implicit operator Dim(long value) => Known(value);

    /// <inheritdoc />
    public override string ToString() => Value?.ToString(CultureInfo.InvariantCulture) ?? Symbol ?? "?";
}
