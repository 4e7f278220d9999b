using EdgeRuntime.Messaging.Broker;

namespace EdgeRuntime.Testing.Mqtt;

/// <summary>A user name and password for mosquitto_sub and mosquitto_pub (<c>-u</c>, <c>-P</c>).</summary>
/// <param name="Username">The user name.</param>
/// <param name="Password">The password.</param>
public sealed record MqttLogin(string Username, string Password)
{
    /// <summary>The options mosquitto_sub and mosquitto_pub take.</summary>
    public IReadOnlyList<string> Arguments => ["-u", Username, "-P", Password];

    /// <summary>The embedded broker's local credential of the daemon whose state directory is <paramref name="stateDirectory"/> (it must have started its broker).</summary>
    public static MqttLogin LocalOf(string stateDirectory)
    {
        var credential = LocalBrokerCredential.Load(LocalBrokerCredential.PasswordFile(stateDirectory));
        return new MqttLogin(credential.Username, credential.Password);
    }
}
