using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Snapshots.Access;

/// <summary>Who is calling, or why they are not let in.</summary>
public sealed record Authentication(Caller? Caller, string? Failure)
{
    public static Authentication Failed(string why) => new(null, why);
}

/// <summary>
/// Turns a request's credentials into a <see cref="Caller"/>: a bearer token from the configured authority
/// (Entra ID) or signed with the local development key, or App Service authentication's client principal.
/// </summary>
public sealed class CallerAuthenticator
{
    private const string ClientPrincipalObjectId = "http://schemas.microsoft.com/identity/claims/objectidentifier";

    private readonly AuthOptions options;
    private readonly JsonWebTokenHandler handler = new() { MapInboundClaims = false };
    private readonly ConfigurationManager<OpenIdConnectConfiguration>? authority;

    public CallerAuthenticator(IOptions<AuthOptions> options)
    {
        this.options = options.Value;
        if (!string.IsNullOrWhiteSpace(this.options.Authority))
        {
            var metadata = this.options.Authority.TrimEnd('/') + "/.well-known/openid-configuration";
            var retriever = new HttpDocumentRetriever { RequireHttps = !new Uri(metadata).IsLoopback };
            authority = new ConfigurationManager<OpenIdConnectConfiguration>(metadata, new OpenIdConnectConfigurationRetriever(), retriever);
        }
    }

    public async Task<Authentication> AuthenticateAsync(string? authorization, string? clientPrincipal, CancellationToken cancellationToken)
    {
        if (options.AppServiceAuthentication && !string.IsNullOrEmpty(clientPrincipal))
        {
            return FromClientPrincipal(clientPrincipal);
        }

        if (string.IsNullOrWhiteSpace(authorization))
        {
            return Authentication.Failed("Sign in first: send 'Authorization: Bearer <token>'.");
        }

        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Authentication.Failed("The Authorization header must be 'Bearer <token>'.");
        }

        var token = authorization["Bearer ".Length..].Trim();
        if (!handler.CanReadToken(token))
        {
            return Authentication.Failed("The bearer token is not a JSON Web Token.");
        }

        string issuer;
        try
        {
            issuer = handler.ReadJsonWebToken(token).Issuer;
        }
        catch (Exception ex) when (ex is SecurityTokenMalformedException or ArgumentException)
        {
            return Authentication.Failed("The bearer token is not a JSON Web Token.");
        }

        var parameters = await ParametersForAsync(issuer, cancellationToken);
        if (parameters is null)
        {
            return Authentication.Failed("The token's issuer is not trusted by this environment.");
        }

        var result = await handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid)
        {
            return Authentication.Failed(Describe(result.Exception));
        }

        // An access token carries delegated scopes (scp) or app roles (roles); an ID token for the same app has neither.
        var development = issuer == DevelopmentTokens.Issuer;
        if (!development && !result.ClaimsIdentity.Claims.Any(c => c.Type is "scp" or "roles"))
        {
            return Authentication.Failed("The token is not an access token (no 'scp' or 'roles' claim); request one for this API.");
        }

        // Project roles in a token are a local development convenience; in Azure they come from stored membership only.
        return FromClaims(result.ClaimsIdentity.Claims, trustProjectRoles: development);
    }

    private async Task<TokenValidationParameters?> ParametersForAsync(string issuer, CancellationToken cancellationToken)
    {
        if (issuer == DevelopmentTokens.Issuer)
        {
            return string.IsNullOrWhiteSpace(options.DevelopmentSigningKey) ? null : new TokenValidationParameters
            {
                ValidIssuer = DevelopmentTokens.Issuer,
                ValidAudience = DevelopmentTokens.Audience,
                IssuerSigningKey = DevelopmentTokens.SigningKey(options.DevelopmentSigningKey),
                ValidAlgorithms = DevelopmentAlgorithms,
            };
        }

        // Without an audience any token the tenant issues (for any app) would pass, so none does.
        if (authority is null || (string.IsNullOrWhiteSpace(options.Audience) && string.IsNullOrWhiteSpace(options.ClientId)))
        {
            return null;
        }

        var configuration = await authority.GetConfigurationAsync(cancellationToken);
        return new TokenValidationParameters
        {
            ValidIssuers = EntraIssuers.Of(configuration.Issuer),
            ValidAudiences = new[] { options.Audience, options.ClientId }.Where(a => !string.IsNullOrWhiteSpace(a)).Select(a => a!.Trim()).ToList(),
            IssuerSigningKeys = configuration.SigningKeys,
            // The authority signs with RSA keys: an HMAC token "signed" with its public key, or none, never passes.
            ValidAlgorithms = AuthorityAlgorithms,
        };
    }

    private static readonly string[] AuthorityAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512];

    private static readonly string[] DevelopmentAlgorithms = [SecurityAlgorithms.HmacSha256];

    private static Authentication FromClaims(IEnumerable<Claim> claims, bool trustProjectRoles)
    {
        var list = claims.ToList();
        string? First(params string[] types) => list.FirstOrDefault(c => types.Contains(c.Type))?.Value;

        var userId = First("oid", ClientPrincipalObjectId, JwtRegisteredClaimNames.Sub, ClaimTypes.NameIdentifier);
        if (string.IsNullOrWhiteSpace(userId))
        {
            return Authentication.Failed("The token names no user (no 'oid' or 'sub' claim).");
        }

        var environmentRoles = list.Where(c => c.Type is "roles" or ClaimTypes.Role).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        var projectRoles = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var grant in list.Where(c => trustProjectRoles && c.Type == DevelopmentTokens.ProjectRolesClaim).Select(c => c.Value.Split(':', 2)))
        {
            if (grant.Length == 2 && ProjectRoles.IsKnown(grant[1]))
            {
                projectRoles[grant[0]] = grant[1].ToLowerInvariant();
            }
        }

        return new Authentication(new Caller(userId, First("name", "preferred_username", ClaimTypes.Name), environmentRoles, projectRoles), null);
    }

    private static Authentication FromClientPrincipal(string header)
    {
        try
        {
            using var principal = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(header)));
            var roleType = principal.RootElement.TryGetProperty("role_typ", out var type) ? type.GetString() : "roles";
            var claims = principal.RootElement.GetProperty("claims").EnumerateArray()
                .Select(c => new Claim(c.GetProperty("typ").GetString() == roleType ? "roles" : c.GetProperty("typ").GetString()!, c.GetProperty("val").GetString() ?? ""));
            return FromClaims(claims, trustProjectRoles: false);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return Authentication.Failed("The X-MS-CLIENT-PRINCIPAL header is not a valid client principal.");
        }
    }

    private static string Describe(Exception? failure) => failure switch
    {
        SecurityTokenExpiredException expired => $"The token expired at {expired.Expires:u}; get a new one.",
        SecurityTokenNotYetValidException => "The token is not valid yet.",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "The token's signature is not from a key this environment trusts.",
        SecurityTokenInvalidAudienceException => "The token is for another audience.",
        SecurityTokenInvalidIssuerException => "The token's issuer is not trusted by this environment.",
        SecurityTokenInvalidAlgorithmException => "The token is signed with an algorithm this environment does not accept.",
        _ => "The token is not valid.",
    };
}
