using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Snapshots.Tests.Support;

/// <summary>
/// An Entra ID tenant on loopback: OpenID metadata (with the real v2 issuer form of its tenant) and a key set with
/// one RSA key, and tokens minted as Entra mints v1 and v2 access tokens (or spoiled in one chosen way).
/// </summary>
public sealed class TestAuthority : IAsyncDisposable
{
    public const string ApplicationIdUri = "api://snapshots-test";
    public static readonly string Tenant = "7f1d2c3b-aaaa-4bbb-8ccc-0123456789ab";
    public static readonly string ClientId = "0a1b2c3d-1111-4222-8333-444455556666";

    private readonly WebApplication app;

    private TestAuthority(WebApplication app, RsaSecurityKey key)
    {
        this.app = app;
        Key = key;
    }

    public RsaSecurityKey Key { get; }

    public string Authority => $"{app.Urls.Single()}/{Tenant}/v2.0";

    public static string V1Issuer => $"https://sts.windows.net/{Tenant}/";

    public static string V2Issuer => $"https://login.microsoftonline.com/{Tenant}/v2.0";

    public static async Task<TestAuthority> StartAsync()
    {
        var key = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "test-key-1" };
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(key);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet($"/{Tenant}/v2.0/.well-known/openid-configuration", (HttpContext context) => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = V2Issuer,
            ["jwks_uri"] = $"{context.Request.Scheme}://{context.Request.Host}/{Tenant}/discovery/v2.0/keys",
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        }));
        app.MapGet($"/{Tenant}/discovery/v2.0/keys", () => Results.Text(
            JsonSerializer.Serialize(new { keys = new[] { new { kty = jwk.Kty, use = "sig", kid = jwk.Kid, n = jwk.N, e = jwk.E } } }), "application/json"));
        await app.StartAsync();
        return new TestAuthority(app, key);
    }

    /// <summary>A token as Entra issues it, RS256-signed with the tenant's key; <paramref name="change"/> spoils it.</summary>
    public string Mint(string issuer, string audience, Action<SecurityTokenDescriptor>? change = null, params Claim[] claims)
    {
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity(claims.Length > 0 ? claims : [new Claim("oid", "user-oid-1"), new Claim("name", "Erin"), new Claim("scp", "access")]),
            IssuedAt = now,
            NotBefore = now.AddMinutes(-1),
            Expires = now.AddHours(1),
            SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.RsaSha256),
        };
        change?.Invoke(descriptor);
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
