using System.Text.RegularExpressions;

namespace Snapshots.Access;

/// <summary>
/// The issuers one Entra ID tenant signs access tokens as: v1 tokens (the default of a new app registration) carry
/// <c>https://sts.windows.net/{tenant}/</c>, v2 tokens (<c>requestedAccessTokenVersion: 2</c>)
/// <c>https://login.microsoftonline.com/{tenant}/v2.0</c>. Given the issuer of the configured authority's metadata,
/// both forms of that tenant and nothing else; any other issuer stands alone.
/// </summary>
public static partial class EntraIssuers
{
    public static IReadOnlyList<string> Of(string metadataIssuer)
    {
        var match = V2().Match(metadataIssuer);
        if (!match.Success)
        {
            match = V1().Match(metadataIssuer);
        }

        if (!match.Success)
        {
            return [metadataIssuer];
        }

        var tenant = match.Groups["tenant"].Value;
        return [$"https://login.microsoftonline.com/{tenant}/v2.0", $"https://sts.windows.net/{tenant}/"];
    }

    [GeneratedRegex("^https://login\\.microsoftonline\\.com/(?<tenant>[0-9a-fA-F-]{36})/v2\\.0/?$")]
    private static partial Regex V2();

    [GeneratedRegex("^https://sts\\.windows\\.net/(?<tenant>[0-9a-fA-F-]{36})/?$")]
    private static partial Regex V1();
}
