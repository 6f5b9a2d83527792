namespace Snapshots.Access;

/// <summary>How callers are authenticated, bound from the <c>Auth</c> configuration section.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>
    /// OpenID Connect issuer whose signing keys and issuer name validate bearer tokens (Entra ID:
    /// <c>https://login.microsoftonline.com/{tenant}/v2.0</c>; that tenant's v1 issuer <c>https://sts.windows.net/{tenant}/</c>
    /// is accepted too). Plain http only on loopback (tests).
    /// </summary>
    public string? Authority { get; set; }

    /// <summary>
    /// The audience tokens must carry: the API's Application ID URI (<c>api://...</c>, what v1 access tokens carry) or
    /// its client id; without an audience no authority token is accepted.
    /// </summary>
    public string? Audience { get; set; }

    /// <summary>The API app registration's client id, the audience of v2 access tokens; accepted besides <see cref="Audience"/>.</summary>
    public string? ClientId { get; set; }

    /// <summary>
    /// Trust App Service authentication's <c>X-MS-CLIENT-PRINCIPAL</c> header. Only safe when App Service
    /// authentication is on, because the platform then strips that header from incoming requests.
    /// </summary>
    public bool AppServiceAuthentication { get; set; }

    /// <summary>Base64 HMAC key of local development tokens; set by the local runtime only, never in Azure.</summary>
    public string? DevelopmentSigningKey { get; set; }
}
