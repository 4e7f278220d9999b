using MQTTnet;

namespace EdgeRuntime.Messaging.Connection;

/// <summary>MQTT topic filter matching, including shared subscriptions (<c>$share/{group}/{filter}</c>).</summary>
public static class TopicFilter
{
    /// <summary>Whether <paramref name="topic"/> matches <paramref name="filter"/>.</summary>
    public static bool Matches(string topic, string filter)
    {
        const string sharePrefix = "$share/";
        if (filter.StartsWith(sharePrefix, StringComparison.Ordinal))
        {
            var groupEnd = filter.IndexOf('/', sharePrefix.Length);
            if (groupEnd < 0)
            {
                return false;
            }

            filter = filter[(groupEnd + 1)..];
        }

        return MqttTopicFilterComparer.Compare(topic, filter) == MqttTopicFilterCompareResult.IsMatch;
    }
}
