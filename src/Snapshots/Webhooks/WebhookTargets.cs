using System.Net;
using System.Net.Sockets;

namespace Snapshots.Webhooks;

/// <summary>
/// Where a webhook may post: an absolute https URL without credentials, answered by a public address; with
/// <c>allowLoopback</c> (the local runtime only) also http or https on a loopback address. The address rule is
/// applied again when a delivery connects, to the address it connects to, so a name that resolves to a private
/// address later (DNS rebinding) is refused then.
/// </summary>
public static class WebhookTargets
{
    public const int MaxUrlLength = 2000;

    /// <summary>Why <paramref name="url"/> cannot be a webhook target, or null.</summary>
    public static string? Problem(string? url, bool allowLoopback)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > MaxUrlLength)
        {
            return $"'url' is required: an absolute https URL of at most {MaxUrlLength} characters.";
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            return $"'{Shorten(url)}' is not an absolute https URL.";
        }

        if (uri.UserInfo.Length > 0)
        {
            return "A webhook URL must not carry a user name or password; the signature authenticates the service.";
        }

        var loopback = IsLoopbackHost(uri);
        if (loopback && !allowLoopback)
        {
            return "A webhook cannot post to this machine (loopback); only the local runtime allows it.";
        }

        if (uri.Scheme == "http" && !loopback)
        {
            return $"'{Shorten(url)}' is plain http: a webhook posts over https only.";
        }

        return IPAddress.TryParse(uri.IdnHost, out var address) && !IsAllowed(address, allowLoopback)
            ? $"'{uri.IdnHost}' is not a public address: a webhook cannot post into private networks."
            : null;
    }

    /// <summary>A public unicast address; loopback too when <paramref name="allowLoopback"/>.</summary>
    public static bool IsAllowed(IPAddress address, bool allowLoopback)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address))
        {
            return allowLoopback;
        }

        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => IsPublicV4(address.GetAddressBytes()),
            AddressFamily.InterNetworkV6 => IsPublicV6(address),
            _ => false,
        };
    }

    private static bool IsLoopbackHost(Uri uri) =>
        uri.IsLoopback || string.Equals(uri.IdnHost, "localhost", StringComparison.OrdinalIgnoreCase);

    private static bool IsPublicV4(byte[] b) => !(
        b[0] is 0 or 10 or 127 or >= 224                 // this network, private, loopback, multicast and reserved
        || (b[0] == 100 && b[1] is >= 64 and <= 127)     // carrier-grade NAT
        || (b[0] == 169 && b[1] == 254)                  // link-local, cloud metadata endpoints
        || (b[0] == 172 && b[1] is >= 16 and <= 31)      // private
        || (b[0] == 192 && b[1] == 168)                  // private
        || (b[0] == 192 && b[1] == 0 && b[2] is 0 or 2)  // IETF protocol assignments, documentation
        || (b[0] == 198 && b[1] is 18 or 19)             // benchmarking
        || (b[0] == 198 && b[1] == 51 && b[2] == 100)    // documentation
        || (b[0] == 203 && b[1] == 0 && b[2] == 113)     // documentation
        || (b[0] == 168 && b[1] == 63 && b[2] == 129 && b[3] == 16)); // Azure's platform endpoint (wireserver)

    private static bool IsPublicV6(IPAddress address)
    {
        var b = address.GetAddressBytes();
        return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal
            || address.Equals(IPAddress.IPv6None) || address.IsIPv6Teredo
            || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)   // documentation
            || (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b)   // NAT64, which reaches IPv4 space
            || b[0] == 0x00                                                    // ::/8: IPv4-compatible and other reserved forms
            || (b[0] == 0x20 && b[1] == 0x02)                                  // 6to4, which embeds an IPv4 address
            || (b[0] == 0x01 && b[1] == 0x00 && b[2..8].All(x => x == 0)));    // discard-only prefix
    }

    private static string Shorten(string url) => url.Length <= 100 ? url : url[..100] + "...";
}
