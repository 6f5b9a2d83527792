using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Snapshots.Access;

namespace Snapshots.Tests.Unit;

public sealed class CallerAuthenticatorTests
{
    private static readonly string Key = DevelopmentTokens.NewKey();

    [Fact]
    public async Task A_development_token_carries_its_user_environment_roles_and_project_roles()
    {
        var token = DevelopmentTokens.Mint(Key, new DevelopmentTokenRequest("alice")
        {
            EnvironmentRoles = [EnvironmentRoles.Restorer],
            ProjectRoles = new Dictionary<string, string> { ["p1"] = ProjectRoles.Reader, ["p2"] = "boss" },
        });

        var caller = (await Authenticator(developmentKey: Key).AuthenticateAsync("Bearer " + token, null, default)).Caller!;

        Assert.Equal("alice", caller.UserId);
        Assert.True(caller.CanRestoreFromOutside);
        Assert.False(caller.IsAdmin);
        Assert.Equal(new Dictionary<string, string> { ["p1"] = ProjectRoles.Reader }, caller.ProjectRoles);
    }

    [Fact]
    public async Task Without_the_development_key_configured_development_tokens_are_refused()
    {
        var token = DevelopmentTokens.Mint(Key, new DevelopmentTokenRequest("alice") { EnvironmentRoles = [EnvironmentRoles.Admin] });

        var outcome = await Authenticator(developmentKey: null).AuthenticateAsync("Bearer " + token, null, default);

        Assert.Null(outcome.Caller);
        Assert.Contains("issuer is not trusted", outcome.Failure);
    }

    [Theory]
    [InlineData(null, "Sign in first")]
    [InlineData("Basic dXNlcjpwYXNz", "must be 'Bearer <token>'")]
    [InlineData("Bearer not-a-jwt", "not a JSON Web Token")]
    [InlineData("Bearer a.b.c", "not a JSON Web Token")]
    public async Task Missing_or_malformed_credentials_fail_with_a_reason(string? header, string reason)
    {
        var outcome = await Authenticator(developmentKey: Key).AuthenticateAsync(header, null, default);

        Assert.Null(outcome.Caller);
        Assert.Contains(reason, outcome.Failure);
    }

    [Fact]
    public async Task An_app_service_principal_gives_its_user_and_app_roles_but_never_project_roles()
    {
        var principal = ClientPrincipal(
            ("http://schemas.microsoft.com/identity/claims/objectidentifier", "oid-1"),
            ("name", "Bob"),
            ("roles", EnvironmentRoles.Admin),
            (DevelopmentTokens.ProjectRolesClaim, "p1:owner"));

        var caller = (await Authenticator(appService: true).AuthenticateAsync(null, principal, default)).Caller!;

        Assert.Equal(("oid-1", "Bob"), (caller.UserId, caller.Name));
        Assert.True(caller.IsAdmin);
        Assert.Empty(caller.ProjectRoles);
    }

    [Fact]
    public async Task The_app_service_principal_header_is_ignored_unless_app_service_authentication_is_on()
    {
        var principal = ClientPrincipal(("http://schemas.microsoft.com/identity/claims/objectidentifier", "oid-1"), ("roles", EnvironmentRoles.Admin));

        var outcome = await Authenticator(appService: false).AuthenticateAsync(null, principal, default);

        Assert.Null(outcome.Caller);
        Assert.Contains("Sign in first", outcome.Failure);
    }

    private static CallerAuthenticator Authenticator(string? developmentKey = null, bool appService = false) =>
        new(Options.Create(new AuthOptions { DevelopmentSigningKey = developmentKey, AppServiceAuthentication = appService }));

    private static string ClientPrincipal(params (string Type, string Value)[] claims) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            auth_typ = "aad",
            name_typ = "name",
            role_typ = "roles",
            claims = claims.Select(c => new { typ = c.Type, val = c.Value }),
        })));
}
