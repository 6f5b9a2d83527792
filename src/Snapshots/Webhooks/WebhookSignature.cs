using System.Security.Cryptography;

namespace Snapshots.Webhooks;

/// <summary>
/// A delivery's signature: HMAC-SHA256 of the exact body bytes with the webhook's secret, sent as
/// <c>X-Snapshots-Signature: sha256=&lt;hex&gt;</c>. A receiver recomputes it and compares in constant time.
/// </summary>
public static class WebhookSignature
{
    public const string Header = "X-Snapshots-Signature";
    public const string DeliveryHeader = "X-Snapshots-Delivery";
    public const string EventHeader = "X-Snapshots-Event";
    public const string AttemptHeader = "X-Snapshots-Attempt";
    public const string TimestampHeader = "X-Snapshots-Timestamp";

    public const string Prefix = "sha256=";

    public static string Sign(string secret, ReadOnlySpan<byte> body) =>
        Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret), body));

    public static bool Matches(string secret, ReadOnlySpan<byte> body, string? signature) =>
        signature is not null && CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.ASCII.GetBytes(Sign(secret, body)), System.Text.Encoding.ASCII.GetBytes(signature));

    /// <summary>A new secret: 32 random bytes, URL-safe base64.</summary>
    public static string NewSecret() =>
        "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
