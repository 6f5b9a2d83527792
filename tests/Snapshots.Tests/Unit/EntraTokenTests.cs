using System.Security.Claims;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Snapshots.Access;
using Snapshots.Tests.Support;

namespace Snapshots.Tests.Unit;

/// <summary>
/// Tokens of a tenant served from loopback metadata: v1 and v2 access tokens as Entra issues them pass; every other
/// kind is refused with its reason.
/// </summary>
public sealed class EntraTokenTests : IAsyncLifetime
{
    private TestAuthority authority = null!;
    private CallerAuthenticator authenticator = null!;

    public async Task InitializeAsync()
    {
        authority = await TestAuthority.StartAsync();
        authenticator = new CallerAuthenticator(Options.Create(new AuthOptions
        {
            Authority = authority.Authority,
            Audience = TestAuthority.ApplicationIdUri,
            ClientId = TestAuthority.ClientId,
            DevelopmentSigningKey = DevelopmentTokens.NewKey(),
        }));
    }

    public async Task DisposeAsync() => await authority.DisposeAsync();

    [Fact]
    public async Task A_v1_access_token_with_the_application_id_uri_passes() =>
        Assert.Equal("user-oid-1", (await AuthenticateAsync(authority.Mint(TestAuthority.V1Issuer, TestAuthority.ApplicationIdUri))).Caller?.UserId);

    [Fact]
    public async Task A_v2_access_token_with_the_client_id_passes() =>
        Assert.Equal("user-oid-1", (await AuthenticateAsync(authority.Mint(TestAuthority.V2Issuer, TestAuthority.ClientId))).Caller?.UserId);

    [Fact]
    public async Task An_unsigned_token_with_alg_none_is_refused()
    {
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = TestAuthority.V2Issuer,
            Audience = TestAuthority.ClientId,
            Subject = new ClaimsIdentity([new Claim("oid", "mallory")]),
            Expires = DateTime.UtcNow.AddHours(1),
        });

        await AssertRefusedAsync(token, "signature");
    }

    [Fact]
    public async Task A_token_signed_with_the_tenants_key_but_another_algorithm_is_refused()
    {
        // RSA-PSS by the right key: Entra signs RS256 only, and the authority's algorithms are pinned to the RS family.
        var token = authority.Mint(TestAuthority.V2Issuer, TestAuthority.ClientId,
            d => d.SigningCredentials = new SigningCredentials(authority.Key, SecurityAlgorithms.RsaSsaPssSha256));

        await AssertRefusedAsync(token, "");
    }

    [Fact]
    public async Task An_hs256_token_signed_with_the_public_key_is_refused()
    {
        var publicKey = authority.Key.Rsa.ExportRSAPublicKey();
        var token = authority.Mint(TestAuthority.V2Issuer, TestAuthority.ClientId,
            d => d.SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(publicKey) { KeyId = authority.Key.KeyId }, SecurityAlgorithms.HmacSha256));

        await AssertRefusedAsync(token, "");
    }

    [Fact]
    public async Task An_rs256_token_claiming_the_development_issuer_is_refused()
    {
        var token = authority.Mint(DevelopmentTokens.Issuer, DevelopmentTokens.Audience);

        await AssertRefusedAsync(token, "");
    }

    [Theory]
    [InlineData("https://sts.windows.net/00000000-0000-0000-0000-000000000000/", "issuer")]
    [InlineData("https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0", "issuer")]
    [InlineData("https://evil.example/", "issuer")]
    public async Task A_token_of_another_tenant_or_issuer_is_refused(string issuer, string reason) =>
        await AssertRefusedAsync(authority.Mint(issuer, TestAuthority.ClientId), reason);

    [Theory]
    [InlineData("api://another-app")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    public async Task A_token_for_another_audience_is_refused(string audience) =>
        await AssertRefusedAsync(authority.Mint(TestAuthority.V2Issuer, audience), "another audience");

    [Fact]
    public async Task An_expired_token_is_refused() =>
        await AssertRefusedAsync(authority.Mint(TestAuthority.V1Issuer, TestAuthority.ApplicationIdUri, d =>
        {
            d.NotBefore = DateTime.UtcNow.AddHours(-3);
            d.IssuedAt = d.NotBefore;
            d.Expires = DateTime.UtcNow.AddHours(-2);
        }), "expired");

    [Fact]
    public async Task A_token_not_yet_valid_is_refused() =>
        await AssertRefusedAsync(authority.Mint(TestAuthority.V1Issuer, TestAuthority.ApplicationIdUri, d =>
        {
            d.NotBefore = DateTime.UtcNow.AddHours(2);
            d.Expires = DateTime.UtcNow.AddHours(3);
        }), "not valid yet");

    [Fact]
    public async Task A_token_naming_no_user_is_refused() =>
        await AssertRefusedAsync(authority.Mint(TestAuthority.V2Issuer, TestAuthority.ClientId, null, new Claim("name", "nobody"), new Claim("scp", "access")), "no 'oid' or 'sub'");

    [Fact]
    public async Task An_id_token_for_the_same_app_is_refused() =>
        await AssertRefusedAsync(authority.Mint(TestAuthority.V2Issuer, TestAuthority.ClientId, null, new Claim("oid", "user-oid-1"), new Claim("name", "Erin")), "not an access token");

    [Fact]
    public async Task An_app_only_token_with_app_roles_passes() =>
        Assert.True((await AuthenticateAsync(authority.Mint(TestAuthority.V2Issuer, TestAuthority.ClientId, null,
            new Claim("oid", "daemon-1"), new Claim("roles", EnvironmentRoles.Admin)))).Caller?.IsAdmin);

    [Fact]
    public async Task A_token_signed_by_another_key_is_refused()
    {
        await using var other = await TestAuthority.StartAsync();

        await AssertRefusedAsync(other.Mint(TestAuthority.V2Issuer, TestAuthority.ClientId), "signature");
    }

    [Fact]
    public void Issuers_are_the_tenants_two_forms_and_nothing_else()
    {
        Assert.Equal([TestAuthority.V2Issuer, TestAuthority.V1Issuer], EntraIssuers.Of(TestAuthority.V2Issuer));
        Assert.Equal([TestAuthority.V2Issuer, TestAuthority.V1Issuer], EntraIssuers.Of(TestAuthority.V1Issuer));
        Assert.Equal(["https://idp.example/"], EntraIssuers.Of("https://idp.example/"));
    }

    private Task<Authentication> AuthenticateAsync(string token) => authenticator.AuthenticateAsync("Bearer " + token, null, default);

    private async Task AssertRefusedAsync(string token, string reason)
    {
        var outcome = await AuthenticateAsync(token);

        Assert.Null(outcome.Caller);
        Assert.Contains(reason, outcome.Failure, StringComparison.OrdinalIgnoreCase);
    }
}
