namespace Snapshots.Access;

/// <summary>How callers are authenticated, bound from the <c>Auth</c> configuration section.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>OpenID Connect issuer whose signing keys and issuer name validate bearer tokens (Entra ID: <c>https://login.microsoftonline.com/{tenant}/v2.0</c>).</summary>
    public string? Authority { get; set; }

    /// <summary>The audience tokens must carry (the API's Application ID URI or client id); without it no authority token is accepted.</summary>
    public string? Audience { get; set; }

    /// <summary>
    /// Trust App Service authentication's <c>X-MS-CLIENT-PRINCIPAL</c> header. Only safe when App Service
    /// authentication is on, because the platform then strips that header from incoming requests.
    /// </summary>
    public bool AppServiceAuthentication { get; set; }

    /// <summary>Base64 HMAC key of local development tokens; set by the local runtime only, never in Azure.</summary>
    public string? DevelopmentSigningKey { get; set; }
}
